export * from "./types";
export { SqliteHubStore, decodeCursor } from "./sqlite";
