// For everyone: the ready selector builder.
export { random } from "./random.js";
export type { RandomOptions } from "./random.js";

// For balancer authors and custom selectors.
export { RANDOM_NAME, RandomBalancer, randomBalancerBuilder } from "./random.js";
