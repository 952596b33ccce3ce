import type { DoneInfo } from "@switchyard/api";

// A server can ask its clients to stay away for a while: HTTP's `Retry-After` (on a 429 or 503:
// delay-seconds, or an HTTP-date) and gRPC's `grpc-retry-pushback-ms` trailer (a non-negative
// integer of milliseconds; gRPC's retry design reads a negative or malformed value as "do not
// retry this call", which says nothing of how long the node needs, so it is ignored here).

const DIGITS = /^\s*(\d+)\s*$/;

/**
 * How long the reply of `info` asks its node to be left alone, ms (more than 0), or `undefined`
 * when it asks nothing. Reads `grpc-retry-pushback-ms`, then `retry-after`; a `ReplyMetadata`
 * whose `get` throws asks nothing. Only worth reading on a failed call (a pushback rides on a 429,
 * a 503 or an UNAVAILABLE): the reads cost a header lookup each.
 */
export function pushbackMs(info: DoneInfo | undefined, wallNow: () => number = Date.now): number | undefined {
  const metadata = info?.replyMetadata;
  if (metadata === undefined || metadata === null) return undefined;
  let grpc: string | undefined;
  let http: string | undefined;
  try {
    grpc = metadata.get("grpc-retry-pushback-ms");
    http = grpc === undefined ? metadata.get("retry-after") : undefined;
  } catch {
    return undefined;
  }
  if (typeof grpc === "string") {
    const match = DIGITS.exec(grpc);
    return match === null ? undefined : positive(Number(match[1]));
  }
  if (typeof http !== "string") return undefined;
  const seconds = DIGITS.exec(http);
  if (seconds !== null) return positive(Number(seconds[1]) * 1000);
  const date = Date.parse(http);
  return Number.isNaN(date) ? undefined : positive(date - wallNow());
}

function positive(ms: number): number | undefined {
  return ms > 0 && Number.isFinite(ms) ? ms : undefined;
}
