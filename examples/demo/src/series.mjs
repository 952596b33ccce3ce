// What the report draws, computed from a run's records: latency percentiles and mean, and each
// instance's share of calls over time. Pure functions of their inputs.

/**
 * p50, p95, p99 (nearest rank: the smallest latency at or above that share of the calls) and the
 * mean of `latencies` (ms); all 0 for no calls.
 */
export function latencySummary(latencies) {
  if (latencies.length === 0) return { p50: 0, p95: 0, p99: 0, mean: 0 };
  const sorted = Float64Array.from(latencies).sort();
  const rank = (p) => sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)];
  let sum = 0;
  for (const x of sorted) sum += x;
  return { p50: rank(0.5), p95: rank(0.95), p99: rank(0.99), mean: sum / sorted.length };
}

/**
 * Each instance's share of the calls started in each window of `windowMs`, from the run's start
 * (time 0) to its last call; a last stretch shorter than half a window joins the window before it,
 * so that no bar stands for a handful of calls. `calls` are `{ at, id }` (ms since the start, the
 * instance that answered); `ids` orders the instances (calls of other ids are left out). Returns
 * `{ windowMs, windows: [{ start, calls, shares }] }`, `shares` in `ids` order summing to 1 (all 0
 * in a window with no calls).
 */
export function shareOverTime(calls, ids, { windowMs }) {
  if (!(windowMs > 0)) throw new RangeError(`shareOverTime: windowMs must be above 0, got ${windowMs}`);
  let last = 0;
  for (const call of calls) last = Math.max(last, call.at);
  const count = calls.length === 0 ? 0 : Math.max(1, Math.round(last / windowMs));
  const counts = Array.from({ length: count }, () => new Array(ids.length).fill(0));
  const index = new Map(ids.map((id, k) => [id, k]));
  for (const call of calls) {
    const k = index.get(call.id);
    if (k !== undefined) counts[Math.min(count - 1, Math.floor(call.at / windowMs))][k]++;
  }
  const windows = counts.map((row, w) => {
    const total = row.reduce((a, b) => a + b, 0);
    return { start: w * windowMs, calls: total, shares: row.map((n) => (total === 0 ? 0 : n / total)) };
  });
  return { windowMs, windows };
}

/**
 * A window length that cuts a run of `durationMs` into about `target` windows (at most 20% more): a round number
 * of ms (10, 20, 25, 50, 100, 200, 250, 500) or whole seconds.
 */
export function windowFor(durationMs, target = 30) {
  const most = target * 1.2; // a run of 3.01 s still gets 100 ms windows
  for (const step of [10, 20, 25, 50, 100, 200, 250, 500]) if (durationMs / step <= most) return step;
  return Math.ceil(durationMs / most / 1000) * 1000;
}
