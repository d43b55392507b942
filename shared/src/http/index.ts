export * from "./cross-site";
export * from "./listen";
