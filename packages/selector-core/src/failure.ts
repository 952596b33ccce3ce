import type { DoneInfo } from "@switchyard/api";

// gRPC status codes that mean the node could not serve the call.
const GRPC_CANCELLED = 1;
const GRPC_DEADLINE_EXCEEDED = 4;
const GRPC_UNAVAILABLE = 14;

// Connection-level failures that say the connection itself failed: the node is gone, unreachable
// or crashed mid-call (node:net, node:dns, undici).
const BROKEN_CONNECTION: readonly string[] = [
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
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_SOCKET",
];
const BROKEN_CONNECTION_CODES: ReadonlySet<string> = new Set(BROKEN_CONNECTION);

// Every connection-level failure: the broken connections, and the timeouts of a reply and the
// aborts, which count as failures too but do not say the connection broke (a slow node, or a
// caller that gave up).
const CONNECTION_CODES: ReadonlySet<string> = new Set([
  ...BROKEN_CONNECTION,
  "ABORT_ERR",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  "UND_ERR_CLOSED",
  "UND_ERR_ABORTED",
]);

// Cancellations by the caller (an abort signal, a hedged call's loser): they end a call early but
// say nothing about the node.
const CANCEL_CODES: ReadonlySet<string> = new Set(["ABORT_ERR", "UND_ERR_ABORTED"]);

function isUnavailableStatus(status: unknown): boolean {
  return status === 503 || status === 504;
}

/** Whether `test` accepts `error` or an error of its cause chain (five levels deep). */
function findInChain(error: unknown, test: (e: { name?: unknown; code?: unknown }) => boolean): boolean {
  let current = error;
  for (let depth = 0; depth < 5 && typeof current === "object" && current !== null; depth++) {
    const e = current as { name?: unknown; code?: unknown; cause?: unknown };
    if (test(e)) return true;
    current = e.cause;
  }
  return false;
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
 * connection-level error, or a reply meaning "unavailable", "gateway timeout" or "too many
 * requests" (HTTP 503/504/429, gRPC UNAVAILABLE/DEADLINE_EXCEEDED/CANCELLED). A 429 counts so that a
 * node shedding load in a millisecond is not taken for a fast one. Other errors (a 500, a 404, an
 * application error) say nothing about the node's health and do not count.
 */
export function isNodeFailure(info: DoneInfo | undefined): boolean {
  if (info === undefined) return false;
  const http = info.httpStatus;
  if (http === 503 || http === 504 || http === 429) return true;
  const grpc = info.grpcStatus;
  if (grpc === GRPC_UNAVAILABLE || grpc === GRPC_DEADLINE_EXCEEDED || grpc === GRPC_CANCELLED) return true;
  return info.error !== undefined && info.error !== null && isFailureError(info.error);
}

/**
 * Whether a failed call failed at the connection: its error (or one in its cause chain) is a
 * refused, reset or unreachable connection, or it failed without sending a byte (`bytesSent: false`,
 * not a cancellation). Such a failure is unambiguous (the node is not there), so the health layer
 * acts on a shorter run of them.
 */
export function isConnectionFailure(info: DoneInfo | undefined): boolean {
  if (info === undefined || info.error === undefined || info.error === null) return false;
  if (findInChain(info.error, (e) => typeof e.code === "string" && BROKEN_CONNECTION_CODES.has(e.code))) {
    return true;
  }
  return info.bytesSent === false && !isCancellation(info);
}

/**
 * Whether the call was cancelled by its caller (an `AbortError`, undici's aborted request, gRPC
 * CANCELLED): it ended early without the node doing anything wrong. The health layer does not count
 * it (a caller that cancels hedged calls must not eject the nodes that lost the race); ewma does, as
 * Kratos does.
 */
export function isCancellation(info: DoneInfo | undefined): boolean {
  if (info === undefined) return false;
  if (info.grpcStatus === GRPC_CANCELLED) return true;
  return findInChain(
    info.error,
    (e) =>
      e.name === "AbortError" ||
      (typeof e.code === "string" && CANCEL_CODES.has(e.code)) ||
      e.code === GRPC_CANCELLED,
  );
}
