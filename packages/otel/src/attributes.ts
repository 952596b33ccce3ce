import type { Attributes } from "@opentelemetry/api";
import type { DoneInfo, Node } from "@switchyard/api";

/** The attribute names this package records (OpenTelemetry's where one exists). */
export const ATTR_SERVER_ADDRESS = "server.address";
export const ATTR_PEER_ADDRESS = "network.peer.address";
export const ATTR_PEER_PORT = "network.peer.port";
export const ATTR_BALANCER = "switchyard.balancer";
export const ATTR_ERROR_TYPE = "error.type";
export const ATTR_EJECTION_REASON = "switchyard.ejection.reason";

const GRPC_STATUS = [
  "OK",
  "CANCELLED",
  "UNKNOWN",
  "INVALID_ARGUMENT",
  "DEADLINE_EXCEEDED",
  "NOT_FOUND",
  "ALREADY_EXISTS",
  "PERMISSION_DENIED",
  "RESOURCE_EXHAUSTED",
  "FAILED_PRECONDITION",
  "ABORTED",
  "OUT_OF_RANGE",
  "UNIMPLEMENTED",
  "INTERNAL",
  "UNAVAILABLE",
  "DATA_LOSS",
  "UNAUTHENTICATED",
] as const;

/**
 * The attributes of one node under one balancer, made once and reused for every call to it (no
 * object per call): the metrics' (`server.address` = the service, the peer, the balancer), the
 * span's (the peer and the balancer: `server.address` of an HTTP or gRPC client span is the host it
 * dialled, left alone), and one set per `error.type` seen.
 */
export class NodeAttributes {
  readonly service: string;
  readonly balancer: string;
  /** Its series' key (`endpointKey`). */
  readonly key: string;
  readonly metric: Attributes;
  readonly span: Attributes;
  /** Calls picked and not completed (`switchyard.endpoint.inflight`). */
  inflight = 0;
  /** It left the list of a selector that published it. */
  left = false;
  private readonly failed = new Map<string, Attributes>();

  constructor(service: string, node: Node, balancer: string, key: string) {
    this.service = service;
    this.balancer = balancer;
    this.key = key;
    const { host, port } = splitAddress(node.address);
    const peer: Attributes = { [ATTR_PEER_ADDRESS]: host };
    if (port !== undefined) peer[ATTR_PEER_PORT] = port;
    this.span = Object.freeze({ ...peer, [ATTR_BALANCER]: balancer });
    this.metric = Object.freeze({ [ATTR_SERVER_ADDRESS]: service, ...peer, [ATTR_BALANCER]: balancer });
  }

  /** The metric attributes with `error.type`. */
  withError(type: string): Attributes {
    let attributes = this.failed.get(type);
    if (attributes === undefined) {
      attributes = Object.freeze({ ...this.metric, [ATTR_ERROR_TYPE]: type });
      this.failed.set(type, attributes);
    }
    return attributes;
  }

  /** The metric attributes with `switchyard.ejection.reason`. */
  withReason(reason: string): Attributes {
    const key = `reason:${reason}`;
    let attributes = this.failed.get(key);
    if (attributes === undefined) {
      attributes = Object.freeze({ ...this.metric, [ATTR_EJECTION_REASON]: reason });
      this.failed.set(key, attributes);
    }
    return attributes;
  }
}

/** `host:port`, `[v6]:port` or a bare host: the host (without brackets) and the port, if any. */
export function splitAddress(address: string): { host: string; port: number | undefined } {
  const colon = address.lastIndexOf(":");
  const bracket = address.lastIndexOf("]");
  if (colon <= bracket || (bracket < 0 && address.indexOf(":") !== colon)) {
    return { host: unbracket(address), port: undefined };
  }
  const port = Number(address.slice(colon + 1));
  const host = unbracket(address.slice(0, colon));
  return Number.isInteger(port) && port >= 0 && port <= 65535
    ? { host, port }
    : { host: address, port: undefined };
}

function unbracket(host: string): string {
  return host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
}

/**
 * The `error.type` of a completed call, or `undefined` when it did not fail: a gRPC status other
 * than OK by name (`UNAVAILABLE`), an HTTP status of 500 or more (or one the node counted as a
 * failure, such as 429) as its number, else the error's `code` (`ECONNREFUSED`) or class name,
 * else `_OTHER` for a failure with nothing to name it.
 */
export function callErrorType(info: DoneInfo | undefined, failure: boolean): string | undefined {
  const grpc = info?.grpcStatus;
  if (grpc !== undefined && grpc !== 0) return GRPC_STATUS[grpc] ?? String(grpc);
  const http = info?.httpStatus;
  if (http !== undefined && (http >= 500 || failure)) return String(http);
  const error = info?.error;
  if (error !== undefined && error !== null) return errorType(error);
  return failure ? "_OTHER" : undefined;
}

/** An error's `code` when it is a string (`NO_AVAILABLE_NODE`, `ECONNREFUSED`), else its class name. */
export function errorType(error: unknown): string {
  if (typeof error === "object" && error !== null) {
    const { code, name } = error as { code?: unknown; name?: unknown };
    if (typeof code === "string" && code !== "") return code;
    if (typeof name === "string" && name !== "") return name;
  }
  return "_OTHER";
}
