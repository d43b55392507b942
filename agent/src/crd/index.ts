export * from "./definition";
export { NetworkIntentMirror, localIntentId, isFromNetworkIntent } from "./mirror";
export type { MirrorDeps } from "./mirror";
