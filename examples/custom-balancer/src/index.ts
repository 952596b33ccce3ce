import type { SelectorBuilder } from "@switchyard/api";
import { createSelectorBuilder, direct } from "@switchyard/selector-core";
import { leastInflightBalancerBuilder } from "./least-inflight.js";
import { weightedRandomBalancerBuilder } from "./weighted-random.js";

export { LeastInflightBalancer, leastInflightBalancerBuilder } from "./least-inflight.js";
export { WeightedRandomBalancer, weightedRandomBalancerBuilder } from "./weighted-random.js";

/** A selector builder for least-in-flight balancing, ready for any Switchyard transport. */
export function leastInflight(options: { random?: () => number } = {}): SelectorBuilder {
  return createSelectorBuilder({
    balancer: leastInflightBalancerBuilder(options.random),
    nodeBuilder: direct(),
  });
}

/**
 * A selector builder for weighted random picks over direct nodes (the publisher's weight, 100 when
 * none; `direct()` declares its weights static, so stable lists get a table of cumulative weights).
 */
export function weightedRandom(options: { random?: () => number } = {}): SelectorBuilder {
  return createSelectorBuilder({
    balancer: weightedRandomBalancerBuilder(options.random),
    nodeBuilder: direct({ recordPickTime: false }),
  });
}
