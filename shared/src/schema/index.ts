export * from "./json-schema";
