import {
  type Balancer,
  type BalancerBuilder,
  type CandidateInfo,
  type Clock,
  InvalidArgumentError,
  type Picked,
  type SelectContext,
  type SelectorBuilder,
  type WeightedNode,
} from "@switchyard/api";
import {
  createSelectorBuilder,
  type EwmaOptions,
  ewma,
  type HealthOptions,
  type SafeRandom,
  safeRandom,
  systemClock,
} from "@switchyard/selector-core";

/** The balancer's name, as it appears in error messages. */
export const P2C_NAME = "p2c";
/** A node not picked for this long is picked once even when it loses the draw (a probe), ms. */
export const FORCE_PICK_GAP_MS = 3000;
/**
 * When both nodes of a draw are failing (the health layer's `failing`: ejected, or kept only
 * because too many nodes are out), p2c draws again, at most this many times. With six nodes of ten
 * failing and one of them ejected, both draws are failing 28% of the time; four draws in all leave
 * 0.6% (bench/sim's zone outage: 0.9% of calls failed, against 2.4% with two re-draws).
 */
export const MAX_REDRAWS = 3;
/**
 * p2c's default `maxEjectedShare` (see `HealthOptions`): a tenth of the nodes, Envoy's and gRPC
 * A50's default, where wrr and random eject up to half. p2c needs ejection less (it draws again past
 * failing nodes and weighs load), and loses more by it when the whole fleet is overloaded: at 110%
 * of the fleet's capacity in bench/sim, where every node times out, p2c failed 17% of calls without
 * health, 22% with a tenth ejected, 42% with half (means of three scenarios).
 */
export const P2C_MAX_EJECTED_SHARE = 0.1;

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
  /**
   * The selector's endpoint health (on by default; see `HealthOptions` of
   * `@switchyard/selector-core`): `false` turns it off (Kratos's behaviour), an object sets its
   * thresholds and times. p2c's own default: `maxEjectedShare` {@link P2C_MAX_EJECTED_SHARE}.
   */
  readonly health?: false | HealthOptions;
}

/**
 * Power of two choices: draws two distinct nodes at random and picks the heavier; when the
 * lighter one has not been picked for the probe gap, picks it instead, so that a node that
 * recovered gets traffic again. When the pick is a node the health layer holds as failing
 * (`WeightedNode.observer.failing`), it takes the other one if that one is not failing, or draws
 * again (at most {@link MAX_REDRAWS} times): a zone outage does not cost the draws where both
 * nodes are dead. One node: picks it. The clock is read once per pick and shared with the nodes.
 */
export class P2cBalancer implements Balancer {
  private readonly clock: Clock;
  private readonly random: SafeRandom;
  private readonly gap: number;
  /** The lighter node of the last draw (a field, not an array per pick). */
  private loser: WeightedNode | undefined = undefined;

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

  pick(nodes: readonly WeightedNode[], _context?: SelectContext, info?: CandidateInfo): Picked {
    const n = nodes.length;
    const now = this.clock.now();
    if (n === 1) {
      const only = nodes[0]!;
      return { node: only, done: only.pick(now) };
    }
    let chosen = this.draw(nodes, n, now);
    const other = this.loser!;
    if (other.pickElapsed(now) > this.gap) chosen = other;
    else if (info?.failing === true && isFailing(chosen)) chosen = this.redraw(nodes, n, now, chosen, other);
    return { node: chosen, done: chosen.pick(now) };
  }

  /** Draws two distinct nodes; returns the heavier and leaves the other in `loser`. */
  private draw(nodes: readonly WeightedNode[], n: number, now: number): WeightedNode {
    // One draw gives both indexes: the integer part picks a, the fraction picks b among the rest.
    const r = this.random.next() * n;
    const a = r | 0;
    let b = ((r - a) * (n - 1)) | 0;
    if (b >= a) b++;
    const nodeA = nodes[a]!;
    const nodeB = nodes[b]!;
    if (nodeB.weight(now) > nodeA.weight(now)) {
      this.loser = nodeA;
      return nodeB;
    }
    this.loser = nodeB;
    return nodeA;
  }

  /** `chosen` is failing: the other node of its draw if that one is not, else a new draw. */
  private redraw(
    nodes: readonly WeightedNode[],
    n: number,
    now: number,
    chosen: WeightedNode,
    other: WeightedNode,
  ): WeightedNode {
    if (!isFailing(other)) return other;
    for (let i = 0; i < MAX_REDRAWS; i++) {
      const heavier = this.draw(nodes, n, now);
      if (!isFailing(heavier)) return heavier;
      const lighter = this.loser!;
      if (!isFailing(lighter)) return lighter;
    }
    return chosen;
  }
}

function isFailing(node: WeightedNode): boolean {
  return node.observer?.failing === true;
}

/** Builds a {@link P2cBalancer} per selector. */
export function p2cBalancerBuilder(options: P2cOptions = {}): BalancerBuilder {
  return { name: P2C_NAME, build: () => new P2cBalancer(options) };
}

/**
 * A selector builder for power of two choices over ewma nodes (latency, success and in-flight
 * aware), with the selector's endpoint health unless `health: false`. Options configure the
 * balancer, the ewma nodes and the health layer (`logger` takes its ejections and returns too).
 * @throws InvalidArgumentError on bad options (a negative probe gap, a `random` that is not a
 * function, an unknown `cost`, an `isFailure` that is not a function, a logger without `warn`, an
 * unknown or out-of-range health option).
 */
export function p2c(options: P2cOptions = {}): SelectorBuilder {
  const clock = options.clock ?? systemClock;
  const balancer = p2cBalancerBuilder({ ...options, clock });
  balancer.build(); // validate options now, not at the first call
  const health = options.health;
  return createSelectorBuilder({
    balancer,
    nodeBuilder: ewma({ ...options, clock }),
    health:
      health === false || (health !== undefined && (typeof health !== "object" || health === null))
        ? health
        : { maxEjectedShare: P2C_MAX_EJECTED_SHARE, ...health },
    clock,
    logger: options.logger,
  });
}
