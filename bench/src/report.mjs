// Turns per-run results into the markdown tables and the target checks that run.mjs prints.

import { SIZES, WINDOW, WITH_CHANNELS, WITH_HEALTH } from "./cases.mjs";

export const TARGETS = {
  /** p2c select+done at most this fraction of naive-p2c's. */
  p2cVsNaive: 0.7,
  /** wrr select+done at 10,000 nodes, ns. */
  wrrAt10kNs: 1000,
  /** wrr 10,000 nodes over 10 nodes: far below linear growth (which would be ~1,000×). */
  wrrGrowth: 10,
  /** A version-filtered select over 1,000 nodes at most this multiple of an unfiltered one. */
  filteredVsPlain: 2,
  /** select+done with endpoint health at most this multiple of the same without it (issue 14). */
  healthVsNone: 1.1,
};

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Folds the workers' outputs into { balancer: { caseId: { median, spread } } }: the median over
 * runs of each run's p50, and the spread (max − min of the runs' p50s) relative to that median.
 */
export function summarise(outputs) {
  const runs = {};
  for (const { balancer, results } of outputs) {
    runs[balancer] ??= {};
    for (const [id, stats] of Object.entries(results)) (runs[balancer][id] ??= []).push(stats.p50);
  }
  const summary = {};
  for (const [balancer, cases] of Object.entries(runs)) {
    summary[balancer] = {};
    for (const [id, values] of Object.entries(cases)) {
      const mid = median(values);
      summary[balancer][id] = { median: mid, spread: (Math.max(...values) - Math.min(...values)) / mid };
    }
  }
  return summary;
}

const ns = (value) => (value >= 1000 ? Math.round(value).toLocaleString("en-US") : value.toFixed(1));
const us = (value) => (value / 1000).toFixed(1);
const ratio = (value) => `${value.toFixed(2)}×`;
const size = (n) => n.toLocaleString("en-US");

function table(header, rows) {
  const lines = [
    `| ${header.join(" | ")} |`,
    `|${header.map((_, i) => (i === 0 ? "---" : "---:")).join("|")}|`,
  ];
  for (const row of rows) lines.push(`| ${row.join(" | ")} |`);
  return lines.join("\n");
}

function spreadNote(summary, balancers, ids) {
  let worst = 0;
  let where = "";
  for (const b of balancers) {
    for (const id of ids) {
      const spread = summary[b]?.[id]?.spread ?? 0;
      if (spread > worst) [worst, where] = [spread, `${b} ${id}`];
    }
  }
  return (
    "Largest run-to-run spread (max − min of the runs' p50s, over their median): " +
    `${Math.round(worst * 100)}%${where === "" ? "" : ` (${where})`}.`
  );
}

/** The three tables, in markdown. */
export function tables(summary, balancers) {
  const get = (b, id, format) => {
    const cell = summary[b]?.[id];
    return cell === undefined ? "—" : format(cell.median);
  };
  const selectIds = [...SIZES.map((n) => `select/${n}`), ...SIZES.map((n) => `select-v2/${n}`)];
  const select = table(
    ["balancer", ...SIZES.map(size), ...SIZES.map((n) => `${size(n)}, v2 filter`)],
    balancers.map((b) => [b, ...selectIds.map((id) => get(b, id, ns))]),
  );
  const trafficIds = ["inflight/10", "mixed/1000", "mixed/10000"];
  const traffic = table(
    [
      "balancer",
      `10 nodes, ${WINDOW} calls in flight`,
      "1,000 nodes, every other call filtered",
      "10,000 nodes, every other call filtered",
    ],
    balancers.map((b) => [b, ...trafficIds.map((id) => get(b, id, ns))]),
  );
  const applyIds = ["apply-few", "apply-fresh", "apply-new"];
  const apply = table(
    ["balancer", "5 addresses changed", "same addresses, new objects", "1,000 new addresses"],
    balancers.map((b) => [b, ...applyIds.map((id) => get(b, id, us))]),
  );
  return [
    "select + done, ns/op (median over runs of each run's p50; nodes half 1.0.0, half 2.0.0; filter keeps 2.0.0)",
    "",
    select,
    "",
    spreadNote(summary, balancers, selectIds),
    "",
    `select + done under mixed traffic, ns/op (in flight: each op completes the call picked ${WINDOW} ops earlier)`,
    "",
    traffic,
    "",
    spreadNote(summary, balancers, trafficIds),
    "",
    "apply of a 1,000-node list + the first select after it, µs/op (alternating between two lists)",
    "",
    apply,
    "",
    spreadNote(summary, balancers, applyIds),
  ].join("\n");
}

/** The target checks: [{ what, measured, limit, pass }] (pass undefined: shown for information). */
export function checks(summary) {
  const m = (b, id) => summary[b]?.[id]?.median;
  const rows = [];
  for (const n of SIZES) {
    const value = m("p2c", `select/${n}`) / m("naive-p2c", `select/${n}`);
    rows.push({
      what: `p2c / naive-p2c select+done, ${size(n)} nodes`,
      measured: ratio(value),
      limit: `≤ ${ratio(TARGETS.p2cVsNaive)}`,
      pass: value <= TARGETS.p2cVsNaive,
    });
  }
  for (const n of SIZES) {
    const value = m("p2c", `select-v2/${n}`) / m("naive-p2c", `select-v2/${n}`);
    rows.push({ what: `p2c / naive-p2c, v2 filter, ${size(n)} nodes`, measured: ratio(value), limit: "—" });
  }
  const inflight = m("p2c", "inflight/10") / m("naive-p2c", "inflight/10");
  rows.push({
    what: `p2c / naive-p2c, 10 nodes, ${WINDOW} calls in flight`,
    measured: ratio(inflight),
    limit: "—",
  });
  const wrr10k = m("wrr", "select/10000");
  rows.push({
    what: "wrr select+done, 10,000 nodes",
    measured: `${ns(wrr10k)} ns`,
    limit: `< ${ns(TARGETS.wrrAt10kNs)} ns`,
    pass: wrr10k < TARGETS.wrrAt10kNs,
  });
  const growth = wrr10k / m("wrr", "select/10");
  rows.push({
    what: "wrr 10,000 nodes / 10 nodes (linear would be ~1,000×)",
    measured: ratio(growth),
    limit: `< ${TARGETS.wrrGrowth}×`,
    pass: growth < TARGETS.wrrGrowth,
  });
  const mixed = m("wrr", "mixed/10000");
  rows.push({
    what: "wrr select+done, 10,000 nodes, every other call filtered (same target, mixed traffic)",
    measured: `${ns(mixed)} ns`,
    limit: `< ${ns(TARGETS.wrrAt10kNs)} ns`,
    pass: mixed < TARGETS.wrrAt10kNs,
  });
  for (const b of WITH_HEALTH) {
    for (const n of SIZES) {
      const value = m(b, `select/${n}`) / m(`${b}-nohealth`, `select/${n}`);
      rows.push({
        what: `${b} / ${b}-nohealth select+done, ${size(n)} nodes (the health layer's cost)`,
        measured: ratio(value),
        limit: `≤ ${ratio(TARGETS.healthVsNone)}`,
        pass: value <= TARGETS.healthVsNone,
      });
    }
  }
  // The diagnostics channels: `wrr` (no subscriber) against `wrr-bare` (the check skipped) prices
  // the check; the others price a subscriber and the OpenTelemetry instrumentation.
  for (const b of WITH_CHANNELS) {
    const base = b === "p2c-otel" ? "p2c" : "wrr";
    for (const n of [10, 1000]) {
      const [top, bottom] = b === "wrr-bare" ? [base, b] : [b, base];
      const value = m(top, `select/${n}`) / m(bottom, `select/${n}`);
      if (!Number.isFinite(value)) continue;
      rows.push({
        what:
          b === "wrr-bare"
            ? `wrr / wrr-bare select+done, ${size(n)} nodes (the channels with no subscriber)`
            : `${top} / ${bottom} select+done, ${size(n)} nodes (${b.endsWith("-otel") ? "@switchyard/otel enabled" : "a no-op subscriber on every channel"})`,
        measured: ratio(value),
        limit: "—",
      });
    }
  }
  for (const b of ["wrr", "p2c", "random", "naive-p2c"]) {
    const value = m(b, "select-v2/1000") / m(b, "select/1000");
    const target = b !== "naive-p2c";
    rows.push({
      what: `${b} filtered / unfiltered, 1,000 nodes`,
      measured: ratio(value),
      limit: target ? `≤ ${ratio(TARGETS.filteredVsPlain)}` : "— (baseline)",
      pass: target ? value <= TARGETS.filteredVsPlain : undefined,
    });
  }
  return rows;
}

export function checksTable(rows) {
  return table(
    ["target", "measured", "limit", "result"],
    rows.map((r) => [r.what, r.measured, r.limit, r.pass === undefined ? "info" : r.pass ? "PASS" : "MISS"]),
  );
}
