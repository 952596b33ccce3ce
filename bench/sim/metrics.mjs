// What a run's raw measurements mean: latency percentiles, error rate, traffic shares, how long
// traffic took to move off a faulty backend and to come back to it, and how long errors took to
// settle after the whole fleet came back.

import { BUCKET_MS } from "./engine.mjs";

/** Length of the sliding window over which shares are judged after an event, ms. */
export const SHARE_WINDOW_MS = 250;
/** Share of its fair share a recovered backend must carry to count as back in service. */
export const RECOVERED_SHARE = 0.6;
/** Length of the sliding window over which that is judged, ms (longer: "carries" is sustained). */
export const RECOVERED_WINDOW_MS = 1000;
/** Errors are "back to about 0" once no window of this length fails more than SETTLED_ERRORS, ms. */
export const SETTLE_WINDOW_MS = 100;
/** The share of a window's calls that may fail once errors have settled. */
export const SETTLED_ERRORS = 0.01;

/** Nearest-rank percentile of an ascending array. */
function percentile(sorted, q) {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

/**
 * Sums up one run: latency percentiles (every call the client made after the warm-up, failed ones
 * included, as the caller waited for them), error rate, each backend's share of the picks, and the
 * delays of the watched events.
 */
export function summarise(run, scenario) {
  const sorted = Float64Array.from(run.latencies).sort();
  const calls = sorted.length;
  const good = Float64Array.from(run.latencies.filter((_, i) => run.failed[i] === 0)).sort();
  // As an SLO counts them: a failed call is a miss, slower than any answer.
  const missing = (q) => {
    const rank = Math.ceil(q * calls) - 1;
    return rank < good.length ? good[Math.max(rank, 0)] : Number.POSITIVE_INFINITY;
  };
  let sum = 0;
  for (let i = 0; i < calls; i++) sum += sorted[i];
  const pickTotal = run.sharePicks.reduce((a, b) => a + b, 0);
  const shares = Array.from(run.sharePicks, (p) => (pickTotal === 0 ? 0 : p / pickTotal));
  const offs = run.watches.filter((w) => w.kind === "off").map((w) => delay(run, w));
  const backWatches = run.watches.filter((w) => w.kind === "back");
  const backs = backWatches.map((w) => delay(run, w));
  const recovered = backWatches.map((w) => delay(run, w, RECOVERED_SHARE, RECOVERED_WINDOW_MS));
  const settles = run.watches.filter((w) => w.kind === "settle").map((w) => settle(run, w.at));
  const window = faultWindow(scenario);
  return {
    scenario: run.scenario,
    balancer: run.balancer,
    calls,
    errors: run.errors,
    errorRate: calls === 0 ? 0 : run.errors / calls,
    mean: sum / calls,
    p50: percentile(sorted, 0.5),
    p90: percentile(sorted, 0.9),
    p99: percentile(sorted, 0.99),
    p999: percentile(sorted, 0.999),
    /** p99 with every failed call counted as a miss (slower than any answer). */
    p99Miss: missing(0.99),
    shares,
    /** The share of picks the first fault's backends got while it lasted (undefined without one). */
    faultShare: window === undefined ? undefined : faultShare(run, window),
    /** The share of calls that arrived while the first fault's backends were faulty and failed. */
    faultErrorRate: window === undefined ? undefined : errorsBetween(run, window.from, window.to),
    /** Share of the picks that went to a backend failing at that moment (down, refusing, hanging, 503). */
    failingShare: pickTotal === 0 ? 0 : run.failingPicks / pickTotal,
    offMs: worst(offs),
    backMs: worst(backs),
    /** How long after it came back (or joined) a backend first carried RECOVERED_SHARE of its fair share. */
    recoveredMs: worst(recovered),
    /** How long after the whole fleet came back errors settled to about 0 (see `settle`). */
    settleMs: worst(settles),
    offAll: offs,
    backAll: backs,
    timeline: window === undefined ? undefined : timeline(run, scenario, window),
  };
}

/**
 * The backends of the scenario's first fault and the span of every fault on them (a flapping
 * backend's faults are one span; a join lasts to the end), or undefined without a fault.
 */
export function faultWindow(scenario) {
  const first = scenario.faults?.[0];
  if (first === undefined) return undefined;
  const key = first.nodes.join(",");
  const same = scenario.faults.filter((f) => f.nodes.join(",") === key);
  const from = Math.min(...same.map((f) => f.from));
  const to = Math.min(scenario.durationMs, Math.max(...same.map((f) => f.to ?? Number.POSITIVE_INFINITY)));
  return { nodes: first.nodes, from, to };
}

function faultShare(run, window) {
  const from = Math.floor(window.from / BUCKET_MS);
  const to = Math.min(run.buckets, Math.ceil(window.to / BUCKET_MS));
  let mine = 0;
  let all = 0;
  for (let b = from; b < to; b++) {
    all += run.totals[b];
    for (const i of window.nodes) mine += run.picks[i * run.buckets + b];
  }
  return all === 0 ? 0 : mine / all;
}

/** The share of the calls that arrived in [from, to) that failed. */
export function errorsBetween(run, from, to) {
  let calls = 0;
  let failed = 0;
  const last = Math.min(run.buckets, Math.ceil(to / BUCKET_MS));
  for (let b = Math.floor(from / BUCKET_MS); b < last; b++) {
    calls += run.arrivals[b];
    failed += run.failures[b];
  }
  return calls === 0 ? 0 : failed / calls;
}

/**
 * How long after `at` errors settled: the end of the last SETTLE_WINDOW_MS window (windows laid
 * from `at` on, calls counted by arrival) in which more than SETTLED_ERRORS of the calls failed,
 * less `at`; 0 when none did.
 */
export function settle(run, at) {
  const span = SETTLE_WINDOW_MS / BUCKET_MS;
  let last = 0;
  for (let b = Math.floor(at / BUCKET_MS); b < run.buckets; b += span) {
    let calls = 0;
    let failed = 0;
    for (let k = b; k < Math.min(b + span, run.buckets); k++) {
      calls += run.arrivals[k];
      failed += run.failures[k];
    }
    if (calls > 0 && failed > SETTLED_ERRORS * calls) last = (b + span) * BUCKET_MS - at;
  }
  return last;
}

/** The largest of the delays (Infinity when one never happened), or undefined when none was watched. */
function worst(delays) {
  return delays.length === 0 ? undefined : Math.max(...delays);
}

/** The client's node list in force at time `t`. */
function viewAt(run, t) {
  let current = run.views[0].backends;
  for (const v of run.views) if (v.at <= t) current = v.backends;
  return current;
}

/**
 * How long after `watch.at` the watched backends' share of picks crossed `fraction` of their fair
 * share (below it for "off", at or above it for "back"), judged over a window that starts at the
 * event and slides on once it has grown to `windowMs`. The fair share is their share of the
 * capacity of the node list the client has just after the event. Infinity: never.
 */
export function delay(run, watch, fraction = 0.5, windowMs = SHARE_WINDOW_MS) {
  const { picks, totals, buckets } = run;
  const members = viewAt(run, watch.at + 1);
  const capacity = members.reduce((s, b) => s + b.capacity, 0);
  const own = watch.nodes.reduce((s, i) => s + run.backends[i].capacity, 0);
  const threshold = (own / capacity) * fraction;
  const first = Math.floor(watch.at / BUCKET_MS);
  const span = windowMs / BUCKET_MS;
  for (let end = first + 1; end <= buckets; end++) {
    const from = Math.max(first, end - span);
    let mine = 0;
    let all = 0;
    for (let b = from; b < end; b++) {
      all += totals[b];
      for (const i of watch.nodes) mine += picks[i * buckets + b];
    }
    if (all === 0) continue;
    const share = mine / all;
    if (watch.kind === "off" ? share < threshold : share >= threshold) return end * BUCKET_MS - watch.at;
  }
  return Number.POSITIVE_INFINITY;
}

/**
 * The share of picks that went to the scenario's watched backends (those of its first fault), per
 * `stepMs`, with their fair share: the data of the share-over-time chart (none when the fault hits
 * every backend).
 */
function timeline(run, scenario, window, stepMs = 250) {
  const nodes = window.nodes;
  if (nodes.length >= scenario.backends.length) return undefined;
  const per = stepMs / BUCKET_MS;
  const points = [];
  for (let b = 0; b + per <= run.buckets; b += per) {
    let mine = 0;
    let all = 0;
    for (let k = b; k < b + per; k++) {
      all += run.totals[k];
      for (const i of nodes) mine += run.picks[i * run.buckets + k];
    }
    points.push(all === 0 ? 0 : mine / all);
  }
  const capacity = scenario.backends.reduce((s, b) => s + b.workers / b.service.mean, 0);
  const own = nodes.reduce((s, i) => s + scenario.backends[i].workers / scenario.backends[i].service.mean, 0);
  return { stepMs, points, fair: own / capacity };
}
