import type {
  Balancer,
  BalancerBuilder,
  CandidateInfo,
  Picked,
  SelectContext,
  SelectorBuilder,
  WeightedNode,
} from "@switchyard/api";
import {
  type DirectOptions,
  directSelector,
  type HealthOptions,
  type SafeRandom,
  safeRandom,
} from "@switchyard/selector-core";

/** The balancer's name, as it appears in error messages. */
export const RANDOM_NAME = "random";
/** A ramping node drawn is drawn over at most this many times (slow start, see {@link RandomBalancer}). */
const MAX_RAMP_DRAWS = 3;

/** Options of {@link RandomBalancer} and {@link random}. */
export interface RandomOptions extends DirectOptions {
  /**
   * Uniform random numbers in [0, 1); default `Math.random`. Tests pass a seeded source. A bad
   * draw never fails a call (selector-core's `safeRandom`): 1 or more picks the last node, below 0
   * the first, and NaN, a non-number or a throw uses `Math.random` instead; the first bad draw is
   * reported once as a process warning.
   */
  readonly random?: () => number;
  /**
   * The selector's endpoint health (on by default; see `HealthOptions` of
   * `@switchyard/selector-core`): `false` turns it off, an object sets its thresholds and times.
   */
  readonly health?: false | HealthOptions;
}

/**
 * Picks uniformly at random, ignoring weights, except for a node the selector's health layer is
 * ramping up (slow start: `CandidateInfo.ramping`, and its `weightFactor` below 1): drawn, it is
 * kept with that probability, else drawn over (up to three times), so it gets about that share of
 * a node's traffic.
 */
export class RandomBalancer implements Balancer {
  private readonly random: SafeRandom;

  /** @throws InvalidArgumentError when `random` is given but is not a function. */
  constructor(options: RandomOptions = {}) {
    this.random = safeRandom(options.random, RANDOM_NAME);
  }

  pick(nodes: readonly WeightedNode[], _context?: SelectContext, info?: CandidateInfo): Picked {
    const n = nodes.length;
    let node = nodes[(this.random.next() * n) | 0]!;
    if (info?.ramping === true) {
      // A ramping node drawn is kept with the probability of its factor, else drawn over (at most
      // three times), so its share is about its factor's share of a node's.
      for (let i = 0; i < MAX_RAMP_DRAWS; i++) {
        const factor = node.observer?.weightFactor ?? 1;
        if (factor >= 1 || this.random.next() < factor) break;
        node = nodes[(this.random.next() * n) | 0]!;
      }
    }
    return { node, done: node.pick() };
  }
}

/**
 * Builds a {@link RandomBalancer} per selector.
 * @throws InvalidArgumentError when `random` is given but is not a function.
 */
export function randomBalancerBuilder(options: RandomOptions = {}): BalancerBuilder {
  safeRandom(options.random, RANDOM_NAME);
  return { name: RANDOM_NAME, build: () => new RandomBalancer(options) };
}

/**
 * A selector builder for uniform random picks over direct nodes, with the selector's endpoint
 * health unless `health: false` (ejected nodes are not drawn).
 * @throws InvalidArgumentError when `random` is given but is not a function, on an `isFailure`
 * that is not a function, a logger without `warn`, or an unknown or out-of-range health option.
 */
export function random(options: RandomOptions = {}): SelectorBuilder {
  return directSelector(randomBalancerBuilder(options), options);
}
