// The health layer's ejections and returns, read from the `logger` a balancer builder takes: the
// layer logs each transition with details `{ address, reason, ejections }` plus `durationMs` for an
// ejection (how long it is out) or `outMs` for a return (how long it was out).

/**
 * What one health log line says: `{ kind: "ejected" | "returned", address, reason, ms }`, or
 * `undefined` for a line that is neither (a node kept in despite failing, every node failing, …).
 */
export function healthEventOf(message, details) {
  if (typeof details?.address !== "string") return undefined;
  const reason = typeof details.reason === "string" ? details.reason : undefined;
  if (typeof details.outMs === "number" && / is back /.test(message)) {
    return { kind: "returned", address: details.address, reason, ms: details.outMs };
  }
  if (typeof details.durationMs === "number" && / ejected for /.test(message)) {
    return { kind: "ejected", address: details.address, reason, ms: details.durationMs };
  }
  return undefined;
}

/**
 * A logger for a balancer builder that hands each ejection and return to `record(event)` (with
 * `selector`, the number of the selector that logged it: a gRPC run has one per channel) and drops
 * the rest, so the demo's console stays its own.
 */
export function createHealthLogger(record, selector) {
  const take = (message, details) => {
    const event = healthEventOf(message, details);
    if (event !== undefined) record({ ...event, selector });
  };
  return { warn: take, debug: take };
}
