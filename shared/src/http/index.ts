export * from "./cross-site";
