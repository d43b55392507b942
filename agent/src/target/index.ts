export * from "./types";
export { DirectoryTarget } from "./directory";
export {
  KubernetesTarget,
  loadKubeConfig,
  FIELD_MANAGER,
  toTargetError,
  isNotFound,
  isConflict,
} from "./kubernetes";
