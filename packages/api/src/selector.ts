import type { NodeHealth } from "./health.js";
import type { DoneFunc, DoneInfo, Node } from "./node.js";

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

/**
 * A pick whose call starts later: the result of {@link Selector.selectDeferred}. A transport that
 * learns when a call really goes out (grpc-js's `onCallStarted`) and may drop a pick without telling
 * (grpc-js re-picks a call whose subchannel left READY, or drops a pick whose call was cancelled
 * first) calls `start()` when the call goes out and `done(info)` when it ends. The balancer's node
 * counts the call in flight, and measures its latency, from `start()`; a selection never started
 * counts nothing and needs no `done`.
 *
 * Why an object with two methods: the selection is the one object a select makes per call anyway
 * (as `SelectResult` is), so both phases cost no closure and no allocation beyond it; call them as
 * methods (`selection.start()`), not detached.
 */
export interface DeferredSelection {
  readonly node: Node;
  /**
   * `true`: nothing was counted at the pick; the call counts from `start()`, and a selection never
   * started may be forgotten. `false`: `done` must be called even for a call that never started
   * (with `{ bytesSent: false }`): the pick was counted at once (a node builder without
   * `startsCalls`, or a probe of the health layer; `start()` then does nothing), or the balancer
   * keeps state per call in a done of its own, which must run.
   */
  readonly deferred: boolean;
  /** The call went out now. Later calls, and calls after `done`, are ignored. */
  start(): void;
  /** How the call ended, as a {@link DoneFunc} takes it. Later calls are ignored; never throws for the built-in nodes. */
  done(info?: DoneInfo): void;
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
   * Two-phase select (optional): picks a node as `select` does, but the call counts from
   * `start()` on the result instead of from the pick (see {@link DeferredSelection}). A selector
   * without it, or a result with `deferred: false`, counts at the pick: call `select` and report
   * every pick through `done`. Throws what `select` throws.
   */
  selectDeferred?(options?: SelectOptions): DeferredSelection;
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
