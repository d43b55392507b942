export * from "./primitives";
export * from "./quantity";
export * from "./plan";
export * from "./intent";
export * from "./site";
export * from "./report";
export * from "./rollout";
export * from "./assurance";
