import type { BalancerBuilder, SelectorBuilder } from "@switchyard/api";
import { directSelector } from "@switchyard/selector-core";
import { HashBalancer } from "./balancer.js";
import { HASH_NAME, type HashOptions, hashSettings } from "./options.js";

/**
 * Builds a {@link HashBalancer} per selector, for pairing with another node builder in
 * `createSelectorBuilder`. The ring reads the nodes' weights when a list is applied: pair it with a
 * node builder whose weights are static (`direct()`).
 * @throws InvalidArgumentError on bad options (see {@link hash}).
 */
export function hashBalancerBuilder(options: HashOptions): BalancerBuilder {
  hashSettings(options); // check now, not at the first call
  return { name: HASH_NAME, build: () => new HashBalancer(options) };
}

/**
 * A selector builder for consistent hashing with bounded loads over direct nodes (the publisher's
 * weight, 100 when none): the same key goes to the same node while the node list holds; adding a
 * node moves about 1/(N+1) of the keys to it, removing one moves only its keys; no node takes more
 * than ⌈loadFactor × average⌉ calls in flight (a hot key spills to the next nodes on the ring).
 * Calls without a key go to the less loaded of two nodes drawn by weight.
 * @throws InvalidArgumentError when `key` is not a function, `loadFactor` is not a number ≥ 1,
 * `points` is not an integer from 1 to 65536, or `random`, `logger` or `clock` do not fit.
 */
export function hash(options: HashOptions): SelectorBuilder {
  return directSelector(hashBalancerBuilder(options), {
    clock: options.clock,
    logger: options.logger,
    health: options.health,
  });
}
