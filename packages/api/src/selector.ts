import type { NodeHealth } from "./health.js";
import type { DoneFunc, Node } from "./node.js";

/** What a filter and a balancer know of the call being routed. */
export interface SelectContext {
  /** Request attributes a filter may route on (a transport sets method, path, headers, …). */
  readonly attributes?: Readonly<Record<string, unknown>>;
  /** Aborted when the call is cancelled. */
  readonly signal?: AbortSignal;
}

/**
 * Narrows the candidate nodes of one call. It must return a subset of the nodes it is given
 * (the same objects); returning any other node is a programming error the selector reports as a
 * `FilterError`.
 */
export interface NodeFilter {
  (nodes: readonly Node[], context: SelectContext): readonly Node[];
  /**
   * Set it only when the result depends on the node list alone, never on the context. The
   * selector then computes the filter once per node list and reuses the result (balancers are
   * told it is a stable list: `CandidateInfo.stable`); two filters with the same key must behave
   * the same. It also names the filter in error messages.
   */
  readonly cacheKey?: string;
}

/** Options of one {@link Selector.select} call. */
export interface SelectOptions extends SelectContext {
  /** Filters run after the selector's own, in order. */
  readonly filters?: readonly NodeFilter[];
}

/** The node a call goes to and the callback that reports how the call went. */
export interface SelectResult {
  readonly node: Node;
  readonly done: DoneFunc;
}

/** Holds the current node list of one service and picks a node per call. */
export interface Selector {
  /** Replaces the whole node list at once. State of addresses that stay is kept. */
  apply(nodes: readonly Node[]): void;
  /**
   * Picks a node for one call.
   * @throws NoAvailableNodeError when there is no node, or none passes the filters.
   * @throws FilterError when a filter throws, returns something other than an array (a promise
   * included: filters are synchronous) or returns nodes it was not given.
   * @throws InvalidArgumentError when `filters` is not an array of functions.
   */
  select(options?: SelectOptions): SelectResult;
  /**
   * The health of every current node, in apply order, when the selector keeps it (the default
   * selector does unless built with `health: false`). A snapshot: later changes do not show in it.
   */
  health?(): readonly NodeHealth[];
}

/** Makes selectors; a transport builds one per target. */
export interface SelectorBuilder {
  build(): Selector;
}
