export * from "./cross-site";
export * from "./listen";
export * from "./unreachable";
