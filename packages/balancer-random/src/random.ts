import type { Balancer, BalancerBuilder, Picked, SelectorBuilder, WeightedNode } from "@switchyard/api";
import { createSelectorBuilder, type DirectOptions, direct } from "@switchyard/selector-core";

/** The balancer's name, as it appears in error messages. */
export const RANDOM_NAME = "random";

/** Options of {@link RandomBalancer} and {@link random}. */
export interface RandomOptions extends DirectOptions {
  /** Uniform random numbers in [0, 1); default `Math.random`. Tests pass a seeded source. */
  readonly random?: () => number;
}

/** Picks uniformly at random, ignoring weights. */
export class RandomBalancer implements Balancer {
  private readonly random: () => number;

  constructor(options: RandomOptions = {}) {
    this.random = options.random ?? Math.random;
  }

  pick(nodes: readonly WeightedNode[]): Picked {
    const node = nodes[(this.random() * nodes.length) | 0]!;
    return { node, done: node.pick() };
  }
}

/** Builds a {@link RandomBalancer} per selector. */
export function randomBalancerBuilder(options: RandomOptions = {}): BalancerBuilder {
  return { name: RANDOM_NAME, build: () => new RandomBalancer(options) };
}

/** A selector builder for uniform random picks over direct nodes. */
export function random(options: RandomOptions = {}): SelectorBuilder {
  return createSelectorBuilder({
    balancer: randomBalancerBuilder(options),
    nodeBuilder: direct({ recordPickTime: false, ...options }),
  });
}
