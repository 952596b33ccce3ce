/**
 * Metadata of a node or an instance: string keys to string values, read-only. Switchyard builds
 * it as a frozen object without a prototype, so keys such as `__proto__` or `constructor` are
 * plain data and cannot reach `Object.prototype`.
 */
export type Metadata = Readonly<Record<string, string>>;

/** One instance of a service as a client sees it: where to send a call, and what it is. */
export interface Node {
  /** Protocol scheme: `http`, `https`, `grpc`, `grpcs`, … */
  readonly scheme: string;
  /** `host:port`, unique among the nodes of one service. */
  readonly address: string;
  /** Name of the service this node belongs to (may be empty for a static node). */
  readonly serviceName: string;
  /** The weight the publisher gave the node (metadata `weight`), if any: an integer ≥ 0. */
  readonly initialWeight: number | undefined;
  /** Version string of the instance, empty when unknown. */
  readonly version: string;
  /** Instance metadata, read-only. */
  readonly metadata: Metadata;
}

/** Read access to the metadata a reply carried (HTTP headers, gRPC trailers). */
export interface ReplyMetadata {
  get(key: string): string | undefined;
}

/** How a call ended; every field is optional. */
export interface DoneInfo {
  /** The error the call ended with, if it failed. */
  readonly error?: unknown;
  /** The HTTP status code of the reply, for HTTP transports. */
  readonly httpStatus?: number;
  /** The gRPC status code the call ended with (0 is OK), for gRPC transports. */
  readonly grpcStatus?: number;
  /** Reply headers or trailers. */
  readonly replyMetadata?: ReplyMetadata;
  /** Whether any bytes of the request reached the wire. */
  readonly bytesSent?: boolean;
  /** Whether any bytes of the reply were received. */
  readonly bytesReceived?: boolean;
}

/**
 * Reports the outcome of a picked call. Safe to call more than once (later calls are ignored)
 * and safe to call after the node was removed from the selector.
 */
export type DoneFunc = (info?: DoneInfo) => void;

/**
 * Where a node reports how each of its calls ended: the selector's health layer hands one per
 * address to a node builder that declares {@link WeightedNodeBuilder.reportsOutcomes}, and the
 * nodes it builds call {@link OutcomeObserver.observe} once per completed pick, from the done
 * callback they already return, so the selector learns every outcome without wrapping each done in
 * a closure of its own. Balancers may read {@link OutcomeObserver.failing} to skip a node the
 * health layer holds as failing (p2c re-draws).
 */
export interface OutcomeObserver {
  /**
   * A call picked from the node ended. `failed` is the node's classification of `info` (for the
   * built-in nodes: `isNodeFailure` of `@switchyard/selector-core` plus the user's `isFailure`);
   * `info` is what the transport reported, read during the call and not kept. Never throws.
   * A call that never reached the node and did not fail (`bytesSent: false` without an error)
   * tells nothing: nodes do not report it.
   */
  observe(failed: boolean, info: DoneInfo | undefined): void;
  /**
   * `true` while the health layer holds the node as failing: ejected, or failing but kept among
   * the candidates (too many nodes out already, or not yet at its detector's threshold after a
   * run of failures). A balancer that draws at random may draw again when it drew such a node.
   */
  readonly failing: boolean;
  /**
   * The share of its weight the node should show now, from 0 to 1: 1 normally, less while the
   * health layer ramps a node that joined or came back (slow start). Nodes multiply their
   * `weight()` by it. It changes only when the selector hands its balancer new candidate lists, so
   * weights read once per stable list stay right (see `CandidateInfo.staticWeights`).
   */
  readonly weightFactor: number;
}

/**
 * A node with the live state a balancer reads. The optional `now` arguments let a balancer read
 * the clock once per pick and share the reading; when omitted, the node reads its own clock.
 */
export interface WeightedNode extends Node {
  /** The node this one wraps, identity kept (a transport may key its own data on it). */
  readonly raw: Node;
  /** The current effective weight (higher is better). */
  weight(now?: number): number;
  /** Records a pick and returns the callback that reports the call's outcome. */
  pick(now?: number): DoneFunc;
  /** Milliseconds since the last pick (very large when never picked). */
  pickElapsed(now?: number): number;
  /**
   * Where this node reports its outcomes (see {@link OutcomeObserver}), when its builder was given
   * one; `undefined` without a health layer or from a builder that does not report outcomes.
   */
  readonly observer?: OutcomeObserver | undefined;
  /**
   * Two-phase picks, on the nodes of a builder that declares {@link WeightedNodeBuilder.startsCalls}:
   * the call of a pick made while {@link CallPhase.deferred} was set starts now. Counts it in flight
   * and keeps what the node needs to end it in `call` (the selection's own fields: no object per
   * call). Called at most once per deferred pick, by the selector (see `Selector.selectDeferred`).
   */
  startCall?(call: CallSlot, now?: number): void;
  /**
   * Two-phase picks: the call that {@link WeightedNode.startCall} started with `call` ended with
   * `info`; latency counts from its start. Called at most once per started call. Never throws.
   */
  endCall?(call: CallSlot, info?: DoneInfo): void;
}

/**
 * The state of one started call that a node keeps on the caller's object (two-phase picks): the
 * node writes both fields in `startCall` and reads them in `endCall`; their meaning is the node's.
 */
export interface CallSlot {
  /** The node's number for the call (ewma: its place among the calls in flight). */
  ticket: number;
  /** When the call started, on the node's clock, ms. */
  startedAt: number;
}

/**
 * What a selector tells the nodes it builds about the pick being made, without an argument per pick:
 * one object per selector, handed to {@link WeightedNodeBuilder.build}, read by `pick()`.
 *
 * Why a flag beside the pick and not an argument of it: balancers call `node.pick()` themselves, and
 * a balancer written before two-phase picks (or by a third party) passes nothing more. The selector
 * sets the flag around its balancer's pick, synchronously, so every balancer works unchanged.
 */
export interface CallPhase {
  /**
   * `true` while the selector's balancer picks for a two-phase select: `pick()` records the pick
   * (`pickElapsed`) and counts nothing; the call is counted by `startCall` if it starts, and a pick
   * whose call never starts leaves no trace. `pick()` then returns {@link CallPhase.notStarted}.
   */
  readonly deferred: boolean;
  /**
   * What `pick()` returns while `deferred` is set: a done that does nothing (the call is ended
   * through `endCall`). The selector compares its balancer's done with it: a balancer that returned
   * a done of its own (it keeps state per call) still gets it called when the call ends.
   */
  readonly notStarted: DoneFunc;
}

/** Builds weighted nodes. `previous` is the weighted node of the same address before an apply. */
export interface WeightedNodeBuilder {
  readonly name: string;
  /**
   * Set it to `true` only when `weight()` of every node this builder builds returns the same number
   * for the node object's whole life (`direct()` does: the publisher's weight), except through its
   * observer's `weightFactor`, which changes only between candidate lists. The selector reads it
   * once, when it is built, and passes it to every pick as `CandidateInfo.staticWeights`, so that a
   * balancer may compute from the weights once per stable list (wrr's plans). Absent or `false`:
   * weights may change at any time (ewma), and balancers read them on every pick.
   */
  readonly staticWeights?: boolean;
  /**
   * Set it to `true` only when `build` honours its `observer` argument: each node it builds calls
   * `observer.observe(failed, info)` once per completed pick (never more often than it was picked,
   * whatever the caller does with done) and exposes it as `WeightedNode.observer`. `direct()` and
   * `ewma()` do. Absent or `false`: a selector with a health layer wraps every done in a closure of
   * its own and classifies the outcome with `isNodeFailure` alone, which is correct but costs an
   * allocation per call.
   */
  readonly reportsOutcomes?: boolean;
  /**
   * Set it to `true` only when every node it builds implements `startCall` and `endCall` and its
   * `pick()` honours the `phase` argument of `build` (see {@link CallPhase}): two-phase selects then
   * count a call from its start, not from its pick. `direct()` and `ewma()` do. Absent or `false`: a
   * two-phase select counts the call at the pick, as `select` does (the caller must then report a
   * pick that never starts, as before).
   */
  readonly startsCalls?: boolean;
  /**
   * Wraps `node`. When `previous` is given (the same address was already known), the builder
   * should carry its state over, so that statistics survive an update of the node list. `observer`
   * is given by a selector with a health layer to a builder that declares `reportsOutcomes`; it is
   * the same object for an address for as long as the address stays, so a node carried over keeps
   * reporting to it. `phase` is given by a selector to a builder that declares `startsCalls`: the
   * same object for every node of the selector (a node carried over is given it again).
   */
  build(node: Node, previous?: WeightedNode, observer?: OutcomeObserver, phase?: CallPhase): WeightedNode;
}
