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
}

/** Builds weighted nodes. `previous` is the weighted node of the same address before an apply. */
export interface WeightedNodeBuilder {
  readonly name: string;
  /**
   * Set it to `true` only when `weight()` of every node this builder builds returns the same number
   * for the node object's whole life (`direct()` does: the publisher's weight). The selector reads
   * it once, when it is built, and passes it to every pick as `CandidateInfo.staticWeights`,
   * so that a balancer may compute from the weights once per stable list (wrr's plans). Absent or
   * `false`: weights may change at any time (ewma), and balancers read them on every pick.
   */
  readonly staticWeights?: boolean;
  /**
   * Wraps `node`. When `previous` is given (the same address was already known), the builder
   * should carry its state over, so that statistics survive an update of the node list.
   */
  build(node: Node, previous?: WeightedNode): WeightedNode;
}
