import {
  type Balancer,
  type BalancerBuilder,
  type Clock,
  InvalidArgumentError,
  type Picked,
  type SelectorBuilder,
  type WeightedNode,
} from "@switchyard/api";
import {
  createSelectorBuilder,
  type EwmaOptions,
  ewma,
  type SafeRandom,
  safeRandom,
  systemClock,
} from "@switchyard/selector-core";

/** The balancer's name, as it appears in error messages. */
export const P2C_NAME = "p2c";
/** A node not picked for this long is picked once even when it loses the draw (a probe), ms. */
export const FORCE_PICK_GAP_MS = 3000;

/** Options of {@link P2cBalancer} and {@link p2c}. */
export interface P2cOptions extends EwmaOptions {
  /** Time source shared with the ewma nodes; default the system clock. */
  readonly clock?: Clock;
  /**
   * Uniform random numbers in [0, 1); default `Math.random`. Tests pass a seeded source. A bad draw
   * cannot fail a call: it is repaired as `safeRandom` of `@switchyard/selector-core` does (1 or
   * more: just below 1; below 0: 0; NaN, not a number or a throw: a `Math.random()` draw), and the
   * first one is reported as a process warning, so fix such a source.
   */
  readonly random?: () => number;
  /** The probe gap, ms (default 3000). */
  readonly forcePickGapMs?: number;
}

/**
 * Power of two choices: draws two distinct nodes at random and picks the heavier; when the
 * lighter one has not been picked for the probe gap, picks it instead, so that a node that
 * recovered gets traffic again. One node: picks it. The clock is read once per pick and shared
 * with the nodes.
 */
export class P2cBalancer implements Balancer {
  private readonly clock: Clock;
  private readonly random: SafeRandom;
  private readonly gap: number;

  constructor(options: P2cOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.random = safeRandom(options.random, P2C_NAME);
    this.gap = options.forcePickGapMs ?? FORCE_PICK_GAP_MS;
    if (!(this.gap >= 0)) {
      throw new InvalidArgumentError(
        `p2c: forcePickGapMs must be a number ≥ 0, got ${options.forcePickGapMs}`,
      );
    }
  }

  pick(nodes: readonly WeightedNode[]): Picked {
    const n = nodes.length;
    const now = this.clock.now();
    if (n === 1) {
      const only = nodes[0]!;
      return { node: only, done: only.pick(now) };
    }
    // One draw gives both indexes: the integer part picks a, the fraction picks b among the rest.
    const r = this.random.next() * n;
    const a = r | 0;
    let b = ((r - a) * (n - 1)) | 0;
    if (b >= a) b++;
    const nodeA = nodes[a]!;
    const nodeB = nodes[b]!;
    let chosen = nodeA;
    let other = nodeB;
    if (nodeB.weight(now) > nodeA.weight(now)) {
      chosen = nodeB;
      other = nodeA;
    }
    if (other.pickElapsed(now) > this.gap) chosen = other;
    return { node: chosen, done: chosen.pick(now) };
  }
}

/** Builds a {@link P2cBalancer} per selector. */
export function p2cBalancerBuilder(options: P2cOptions = {}): BalancerBuilder {
  return { name: P2C_NAME, build: () => new P2cBalancer(options) };
}

/**
 * A selector builder for power of two choices over ewma nodes (latency, success and in-flight
 * aware). Options configure both the balancer and the ewma nodes.
 * @throws InvalidArgumentError on bad options (a negative probe gap, a `random` that is not a
 * function, an unknown `cost`, an `isFailure` that is not a function, a logger without `warn`).
 */
export function p2c(options: P2cOptions = {}): SelectorBuilder {
  const clock = options.clock ?? systemClock;
  const balancer = p2cBalancerBuilder({ ...options, clock });
  balancer.build(); // validate options now, not at the first call
  return createSelectorBuilder({ balancer, nodeBuilder: ewma({ ...options, clock }) });
}
