import type { DoneInfo } from "@switchyard/api";

// gRPC status codes that mean the node could not serve the call.
const GRPC_CANCELLED = 1;
const GRPC_DEADLINE_EXCEEDED = 4;
const GRPC_UNAVAILABLE = 14;

// Connection-level failures from node:net, node:dns and undici.
const CONNECTION_CODES: ReadonlySet<string> = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "EHOSTDOWN",
  "ENETUNREACH",
  "ENETDOWN",
  "EADDRNOTAVAIL",
  "EAI_AGAIN",
  "ENOTFOUND",
  "ABORT_ERR",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  "UND_ERR_SOCKET",
  "UND_ERR_CLOSED",
  "UND_ERR_ABORTED",
]);

function isUnavailableStatus(status: unknown): boolean {
  return status === 503 || status === 504;
}

function isFailureError(error: unknown): boolean {
  let current = error;
  // Follow the cause chain a few levels: fetch wraps socket errors in TypeError("fetch failed").
  for (let depth = 0; depth < 5 && typeof current === "object" && current !== null; depth++) {
    const e = current as {
      name?: unknown;
      code?: unknown;
      status?: unknown;
      statusCode?: unknown;
      cause?: unknown;
    };
    if (e.name === "AbortError" || e.name === "TimeoutError") return true;
    const code = e.code;
    if (typeof code === "string" && CONNECTION_CODES.has(code)) return true;
    if (code === GRPC_CANCELLED || code === GRPC_DEADLINE_EXCEEDED || code === GRPC_UNAVAILABLE) return true;
    if (isUnavailableStatus(e.status) || isUnavailableStatus(e.statusCode)) return true;
    current = e.cause;
  }
  return false;
}

/**
 * Whether a completed call counts as a failure of its node: a cancellation or deadline, a
 * connection-level error, or a reply meaning "unavailable" or "gateway timeout" (HTTP 503/504,
 * gRPC UNAVAILABLE/DEADLINE_EXCEEDED/CANCELLED). Other errors (a 500, a 404, an application
 * error) say nothing about the node's health and do not count.
 */
export function isNodeFailure(info: DoneInfo | undefined): boolean {
  if (info === undefined) return false;
  if (isUnavailableStatus(info.httpStatus)) return true;
  const grpc = info.grpcStatus;
  if (grpc === GRPC_UNAVAILABLE || grpc === GRPC_DEADLINE_EXCEEDED || grpc === GRPC_CANCELLED) return true;
  return info.error !== undefined && info.error !== null && isFailureError(info.error);
}
