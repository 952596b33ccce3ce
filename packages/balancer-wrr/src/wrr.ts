import type {
  Balancer,
  BalancerBuilder,
  CandidateInfo,
  Picked,
  SelectContext,
  SelectorBuilder,
  WeightedNode,
} from "@switchyard/api";
import { type DirectOptions, directSelector, type HealthOptions } from "@switchyard/selector-core";
import { Plan } from "./plan.js";
import type { Score } from "./score.js";

/** The balancer's name, as it appears in error messages. */
export const WRR_NAME = "wrr";

/** The most candidate lists a balancer keeps a plan for (the full list plus cached filter results). */
export const MAX_PLANS = 8;

/**
 * Smooth weighted round robin (the nginx algorithm): every pick adds each node's weight to its
 * score, picks the highest (the first on a tie) and subtracts the total from it. Weights 5, 1, 1
 * pick a a b a c a a. Nodes of weight 0 (or a weight that is not a positive number) get no traffic
 * while any node has weight; when none has, all share equally.
 *
 * Each stable candidate list (the selector's full list, or the cached result of a filter such as
 * `version("2.0.0")`) rotates smoothly on its own, so canary traffic mixed with the rest stays
 * exact for both. Scores are kept per address across applies and dropped when the address leaves.
 * When the selector says a list is stable and its weights static (`CandidateInfo`, as over direct
 * nodes), the balancer keeps a plan for it and a pick costs O(distinct weights + log n); a list
 * made per call (a filter without a cache key), nodes whose weight changes, or a pick without
 * `info` cost O(n).
 */
export class WrrBalancer implements Balancer {
  private readonly scores = new Map<string, Score>();
  private readonly plans = new Map<readonly WeightedNode[], Plan>();
  /** The list of the last planned pick and its plan: most picks are on the same list. */
  private lastNodes: readonly WeightedNode[] | undefined = undefined;
  private lastPlan: Plan | undefined = undefined;

  pick(nodes: readonly WeightedNode[], _context?: SelectContext, info?: CandidateInfo): Picked {
    let node: WeightedNode;
    if (info?.stable && info.staticWeights) {
      let plan = this.lastPlan;
      if (nodes !== this.lastNodes) {
        plan = this.plans.get(nodes) ?? this.planFor(nodes);
        this.lastNodes = nodes;
        this.lastPlan = plan;
      }
      node = nodes[plan!.next()]!;
    } else {
      node = this.pickDynamic(nodes);
    }
    return { node, done: node.pick() };
  }

  update(nodes: readonly WeightedNode[]): void {
    for (const plan of this.plans.values()) plan.flush();
    this.plans.clear();
    this.lastNodes = undefined;
    this.lastPlan = undefined;
    if (this.scores.size === 0) return;
    const live = new Set<string>();
    for (const node of nodes) live.add(node.address);
    for (const address of this.scores.keys()) if (!live.has(address)) this.scores.delete(address);
  }

  // Only for a stable list with static weights (see pick): a list made per call would never come
  // again, and a plan precomputes from the weights.
  private planFor(nodes: readonly WeightedNode[]): Plan {
    if (this.plans.size >= MAX_PLANS) {
      const [oldest, evicted] = this.plans.entries().next().value!;
      evicted.flush();
      this.plans.delete(oldest);
    }
    const plan = new Plan(
      nodes,
      nodes.map((node) => this.score(node.address)),
      effectiveWeights(nodes),
    );
    this.plans.set(nodes, plan);
    return plan;
  }

  private score(address: string): Score {
    let score = this.scores.get(address);
    if (score === undefined) this.scores.set(address, (score = { current: 0 }));
    return score;
  }

  private pickDynamic(nodes: readonly WeightedNode[]): WeightedNode {
    const picked = this.pickDynamicOnce(nodes, false);
    // Every weight was 0: no score moved; share equally instead.
    return picked ?? this.pickDynamicOnce(nodes, true)!;
  }

  private pickDynamicOnce(nodes: readonly WeightedNode[], equal: boolean): WeightedNode | undefined {
    let total = 0;
    let best = -1;
    let bestScore: Score | undefined;
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[i]!;
      const w = equal ? 1 : effective(node.weight());
      const score = this.score(node.address);
      score.current += w;
      total += w;
      if (bestScore === undefined || score.current > bestScore.current) {
        best = i;
        bestScore = score;
      }
    }
    if (total === 0) return undefined;
    bestScore!.current -= total;
    return nodes[best]!;
  }
}

function effective(weight: number): number {
  return weight > 0 && weight < Number.POSITIVE_INFINITY ? weight : 0;
}

/** Weights as wrr uses them: non-positive or non-finite weights count 0; all 0 means all 1. */
function effectiveWeights(nodes: readonly WeightedNode[]): Float64Array {
  const weights = new Float64Array(nodes.length);
  let total = 0;
  for (let i = 0; i < nodes.length; i++) {
    const w = effective(nodes[i]!.weight());
    weights[i] = w;
    total += w;
  }
  if (total === 0) weights.fill(1);
  return weights;
}

/** Builds {@link WrrBalancer}s. */
export const wrrBalancerBuilder: BalancerBuilder = {
  name: WRR_NAME,
  build: () => new WrrBalancer(),
};

/** Options of {@link wrr}: the direct nodes' (`clock`, `isFailure`, `logger`) and `health`. */
export interface WrrOptions extends DirectOptions {
  /**
   * The selector's endpoint health (on by default; see `HealthOptions` of
   * `@switchyard/selector-core`): `false` turns it off (Kratos's behaviour: a failing node keeps its
   * full share), an object sets its thresholds and times. `logger` takes its ejections and returns.
   */
  readonly health?: false | HealthOptions;
}

/**
 * A selector builder for smooth weighted round robin over direct nodes (the publisher's weight,
 * 100 when none), with the selector's endpoint health unless `health: false`: a node that fails is
 * ejected from the rotation, probed, and brought back. This is what transports use when no
 * selector is given and no global is set.
 * @throws InvalidArgumentError on an `isFailure` that is not a function, a logger without `warn`,
 * or an unknown or out-of-range health option.
 */
export function wrr(options: WrrOptions = {}): SelectorBuilder {
  return directSelector(wrrBalancerBuilder, options);
}
