import type { SelectorBuilder } from "@switchyard/api";
import { createSelectorBuilder, direct } from "@switchyard/selector-core";
import { leastInflightBalancerBuilder } from "./least-inflight.js";

export { LeastInflightBalancer, leastInflightBalancerBuilder } from "./least-inflight.js";

/** A selector builder for least-in-flight balancing, ready for any Switchyard transport. */
export function leastInflight(options: { random?: () => number } = {}): SelectorBuilder {
  return createSelectorBuilder({
    balancer: leastInflightBalancerBuilder(options.random),
    nodeBuilder: direct(),
  });
}
