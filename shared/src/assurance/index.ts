export type { Measure } from "./measure";
export { fill, judge, measureOf, podsOf } from "./measure";
