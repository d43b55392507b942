export type { Measure } from "./measure";
export { judge, measureOf } from "./measure";
