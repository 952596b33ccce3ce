import type { BalancerBuilder, SelectorBuilder } from "@switchyard/api";
import { type DirectOptions, direct } from "./direct.js";
import type { HealthOptions } from "./health/health-options.js";
import { createSelectorBuilder } from "./selector.js";

/** Options of {@link directSelector}: the direct nodes' (`clock`, `isFailure`, `logger`) and `health`. */
export interface DirectSelectorOptions extends DirectOptions {
  /** The selector's endpoint health: on by default, `false` turns it off, an object tunes it. */
  readonly health?: false | HealthOptions;
}

/**
 * A selector builder for a balancer over direct nodes (the publisher's weight) that never asks for
 * `pickElapsed`, so no pick reads the clock (`recordPickTime` defaults to false): what wrr, random
 * and hash are. `clock` and `logger` serve the nodes and the health layer alike.
 * @throws InvalidArgumentError as `direct` and `createSelectorBuilder` do.
 */
export function directSelector(
  balancer: BalancerBuilder,
  options: DirectSelectorOptions = {},
): SelectorBuilder {
  return createSelectorBuilder({
    balancer,
    nodeBuilder: direct({ recordPickTime: false, ...options }),
    health: options.health,
    clock: options.clock,
    logger: options.logger,
  });
}
