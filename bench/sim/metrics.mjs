// What a run's raw measurements mean: latency percentiles, error rate, traffic shares, and how long
// traffic took to move off a faulty backend and to come back to it.

import { BUCKET_MS } from "./engine.mjs";

/** Length of the sliding window over which shares are judged after an event, ms. */
export const SHARE_WINDOW_MS = 250;

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
  const backs = run.watches.filter((w) => w.kind === "back").map((w) => delay(run, w));
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
    faultShare: faultShare(run, scenario),
    /** Share of the picks that went to a backend failing at that moment (down, refusing, hanging, 503). */
    failingShare: pickTotal === 0 ? 0 : run.failingPicks / pickTotal,
    offMs: worst(offs),
    backMs: worst(backs),
    offAll: offs,
    backAll: backs,
    timeline: timeline(run, scenario),
  };
}

function faultShare(run, scenario) {
  const fault = scenario.faults?.[0];
  if (fault === undefined) return undefined;
  const from = Math.floor(fault.from / BUCKET_MS);
  const to = Math.min(run.buckets, Math.ceil(Math.min(fault.to, scenario.durationMs) / BUCKET_MS));
  let mine = 0;
  let all = 0;
  for (let b = from; b < to; b++) {
    all += run.totals[b];
    for (const i of fault.nodes) mine += run.picks[i * run.buckets + b];
  }
  return all === 0 ? 0 : mine / all;
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
 * How long after `watch.at` the watched backends' share of picks crossed half their fair share
 * (below it for "off", at or above it for "back"), judged over a window that starts at the event
 * and slides on at SHARE_WINDOW_MS once it has grown to that length. The fair share is their share
 * of the capacity of the node list the client has just after the event. Infinity: never.
 */
export function delay(run, watch) {
  const { picks, totals, buckets } = run;
  const members = viewAt(run, watch.at + 1);
  const capacity = members.reduce((s, b) => s + b.capacity, 0);
  const own = watch.nodes.reduce((s, i) => s + run.backends[i].capacity, 0);
  const half = own / capacity / 2;
  const first = Math.floor(watch.at / BUCKET_MS);
  const span = SHARE_WINDOW_MS / BUCKET_MS;
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
    if (watch.kind === "off" ? share < half : share >= half) return end * BUCKET_MS - watch.at;
  }
  return Number.POSITIVE_INFINITY;
}

/**
 * The share of picks that went to the scenario's watched backends (those of its first fault), per
 * `stepMs`, with their fair share: the data of the share-over-time chart.
 */
function timeline(run, scenario, stepMs = 250) {
  const fault = scenario.faults?.[0];
  if (fault === undefined) return undefined;
  const nodes = fault.nodes;
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
