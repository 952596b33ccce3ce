import {
  type Balancer,
  type BalancerBuilder,
  InvalidArgumentError,
  type Picked,
  type SelectorBuilder,
  type WeightedNode,
} from "@switchyard/api";
import { errorMessage, warnSafely } from "@switchyard/kit";
import { createSelectorBuilder, type DirectOptions, direct } from "@switchyard/selector-core";

/** The balancer's name, as it appears in error messages. */
export const RANDOM_NAME = "random";

/** Options of {@link RandomBalancer} and {@link random}. */
export interface RandomOptions extends DirectOptions {
  /**
   * Uniform random numbers in [0, 1); default `Math.random`. Tests pass a seeded source. A draw
   * outside the range never fails a call: see {@link RandomBalancer}.
   */
  readonly random?: () => number;
}

// A draw that breaks the source's contract is repaired, not thrown. The node list is fine and the
// caller did nothing wrong: failing the call would turn a bug in a helper (a source that can
// return exactly 1 is a common off-by-one) into lost requests, on a path users rarely test. Each
// repair follows what the draw meant: at or past 1 is the last node, below 0 the first (the
// nearest valid draw), and a draw that means no position at all (NaN, not a number, a throw)
// takes Math.random's instead, so traffic stays uniform. The first bad draw of each balancer is
// reported once (logger-free: a process warning with code SWITCHYARD_WARNING), so the bug is seen
// without a warning per call. A draw in range costs one type check and two comparisons.

/** Picks uniformly at random, ignoring weights. A bad draw is repaired, never thrown (see above). */
export class RandomBalancer implements Balancer {
  private readonly random: () => number;
  private reported = false;

  /** @throws InvalidArgumentError when `random` is given but is not a function. */
  constructor(options: RandomOptions = {}) {
    this.random = checkRandom(options.random);
  }

  pick(nodes: readonly WeightedNode[]): Picked {
    let draw: unknown;
    try {
      draw = this.random();
    } catch (error) {
      this.report(`threw (${errorMessage(error)})`, error);
      return picked(nodes, (Math.random() * nodes.length) | 0);
    }
    if (typeof draw !== "number" || !(draw >= 0 && draw < 1)) return this.repaired(nodes, draw);
    return picked(nodes, (draw * nodes.length) | 0);
  }

  private repaired(nodes: readonly WeightedNode[], draw: unknown): Picked {
    this.report(`returned ${describeDraw(draw)}`, undefined);
    const n = nodes.length;
    if (typeof draw === "number" && draw >= 1) return picked(nodes, n - 1);
    if (typeof draw === "number" && draw < 0) return picked(nodes, 0);
    return picked(nodes, (Math.random() * n) | 0);
  }

  private report(what: string, error: unknown): void {
    if (this.reported) return;
    this.reported = true;
    warnSafely(
      undefined,
      `random: the random source ${what}, not a number in [0, 1); the pick was repaired, and later bad ` +
        "draws are repaired without a report: fix the random option",
      { error },
    );
  }
}

function picked(nodes: readonly WeightedNode[], index: number): Picked {
  const node = nodes[index]!;
  return { node, done: node.pick() };
}

function describeDraw(draw: unknown): string {
  if (typeof draw === "number" || typeof draw === "bigint" || typeof draw === "boolean") return String(draw);
  if (typeof draw === "string") return JSON.stringify(draw);
  return draw === null ? "null" : typeof draw;
}

function checkRandom(random: unknown): () => number {
  if (random === undefined) return Math.random;
  if (typeof random !== "function") {
    throw new InvalidArgumentError(
      `random: random must be a function returning numbers in [0, 1), such as Math.random; got ${typeof random}`,
    );
  }
  return random as () => number;
}

/**
 * Builds a {@link RandomBalancer} per selector.
 * @throws InvalidArgumentError when `random` is given but is not a function.
 */
export function randomBalancerBuilder(options: RandomOptions = {}): BalancerBuilder {
  checkRandom(options.random);
  return { name: RANDOM_NAME, build: () => new RandomBalancer(options) };
}

/**
 * A selector builder for uniform random picks over direct nodes.
 * @throws InvalidArgumentError when `random` is given but is not a function.
 */
export function random(options: RandomOptions = {}): SelectorBuilder {
  return createSelectorBuilder({
    balancer: randomBalancerBuilder(options),
    nodeBuilder: direct({ recordPickTime: false, ...options }),
  });
}
