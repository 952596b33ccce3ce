// For everyone: the ready selector builder.
export { wrr } from "./wrr.js";
export type { WrrOptions } from "./wrr.js";

// For balancer authors and custom selectors.
export { MAX_PLANS, WRR_NAME, WrrBalancer, wrrBalancerBuilder } from "./wrr.js";
