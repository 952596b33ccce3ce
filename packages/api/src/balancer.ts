import type { DoneFunc, WeightedNode } from "./node.js";
import type { SelectContext } from "./selector.js";

/** A balancer's choice: the weighted node and the done callback of the pick. */
export interface Picked {
  readonly node: WeightedNode;
  readonly done: DoneFunc;
}

/**
 * What the selector tells a balancer about the candidates of one pick, so that a balancer can keep
 * work done for a list (a plan, a table of cumulative weights) instead of redoing it per pick.
 * A selector hands one of a few shared objects (the default selector keeps two: one for stable
 * lists, one for the rest), never one per pick; a balancer reads it during `pick` and keeps no
 * reference to it.
 *
 * Why this shape. The identity of a stable list is the array itself, not a version number: what a
 * balancer needs is a key for its map, and a version would have to be mapped back to a list. It is
 * told beside the array rather than read from it (`Object.isFrozen`) because the array is the
 * filters' output, which may be any array: only the selector, which made or cached it, knows
 * whether it comes again. Static weights are the node builder's word, not a class test on the
 * nodes: a third-party builder can give it, and a subclass whose weight does change does not
 * inherit it by accident; and since every node of a selector comes from one builder, it is one
 * flag per selector, not a read per node.
 */
export interface CandidateInfo {
  /**
   * `true`: this very array (the same object, frozen) is handed again for every pick that has the
   * same candidates (the selector's full list, or the cached result of a filter with a `cacheKey`
   * over a stable list) until the selector's candidates change, so a balancer may key state on the
   * array. The same candidates may come back in a new array (after an apply, or once the
   * selector's cache is full), so state keyed on arrays must be bounded (wrr keeps plans for 8
   * lists) or weak (a `WeakMap`), and dropped or rebuilt in {@link Balancer.update}.
   *
   * `false`: the array was made for this pick only (a filter without a `cacheKey` narrowed the
   * list); keying state on it would only leak.
   */
  readonly stable: boolean;
  /**
   * `true`: `weight()` of every candidate returns the same number for as long as this stable list
   * is handed out (the node builder said so: `WeightedNodeBuilder.staticWeights`), so weights read
   * once for a stable list stay right. (A node's weight may change between lists: while the health
   * layer ramps a node up, each step is a new list.) `false`: weights may change between picks
   * (ewma), read them on every pick.
   */
  readonly staticWeights: boolean;
  /**
   * `true` while some candidate may be one the health layer holds as failing (`observer.failing`:
   * kept among the candidates because too many nodes are out, or because none is healthy). A
   * balancer that skips failing nodes (p2c draws again) need only check then; absent or `false`: no
   * candidate is failing.
   */
  readonly failing?: boolean;
  /**
   * `true` while the selector ramps some candidate up (slow start: its `observer.weightFactor` is
   * below 1, and its `weight()` shows that share). A balancer that ignores weights (random) may
   * read the factor of the node it drew then, and only then; absent or `false`: every factor is 1.
   */
  readonly ramping?: boolean;
}

/** Chooses one node among candidates. The selector never calls `pick` with an empty list. */
export interface Balancer {
  /**
   * Picks one of `nodes` (never empty) and records the pick, usually by calling `node.pick()`.
   * `info` says whether `nodes` is a stable list and whether weights are static (see
   * {@link CandidateInfo}); a balancer that keeps no state per list may declare fewer parameters.
   * A selector that predates `info` passes none: treat a missing `info` as "not stable, weights
   * may change".
   */
  pick(nodes: readonly WeightedNode[], context: SelectContext, info: CandidateInfo): Picked;
  /**
   * Called by the selector with the full node list after every apply, so the balancer can drop
   * state kept for addresses that left. No candidate list handed out before an apply comes again
   * after it, so state kept per list can go too. Optional.
   */
  update?(nodes: readonly WeightedNode[]): void;
}

/** Makes balancers; one per selector. */
export interface BalancerBuilder {
  /** Short name used in error messages (`wrr`, `p2c`, …). */
  readonly name: string;
  build(): Balancer;
}
