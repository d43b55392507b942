export * from "./types";
export { BUILTIN_NFS, Catalog, CatalogError, resourcesForCapacity } from "./catalog";
