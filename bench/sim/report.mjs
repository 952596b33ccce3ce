// Markdown tables from the summaries of a run: one table per scenario (every figure also as a
// ratio to round robin and to the oracles), an overview of p2c's costs across scenarios, and
// issue #7's targets for p2c (the endpoint-health targets are in health-targets.mjs).

import { ms, pct, ratio, table } from "./format.mjs";

/** Issue #7's targets for p2c, for the scenarios marked `target`, at 70% utilisation. */
export const TARGETS = {
  /** p2c's p99 at most this multiple of the oracle's (join-shortest-queue, the oracle issue #7 set). */
  p99VsOracle: 1.3,
  /** p2c's p99 at most this multiple of round robin's. */
  p99VsRoundRobin: 0.5,
  /** p2c's error rate at most this multiple of round robin's. */
  errorsVsRoundRobin: 0.2,
  /** After the fault ends, back to half the fair share within this long, ms. */
  backMs: 10_000,
};

const missCell = (value) => (Number.isFinite(value) ? ms(value) : "miss");
const div = (a, b) => (b > 0 ? a / b : Number.NaN);

/** Backend 0 differs from the rest (a flaky node) without a timed fault. */
function oddFirst(scenario) {
  const [first, second] = scenario.backends;
  return second !== undefined && (first.errorProb ?? 0) !== (second.errorProb ?? 0);
}

/**
 * What the shares say for a scenario: the share of the backends a fault hits (or of an odd
 * backend 0), the mean share per capacity class when capacities differ, else the range.
 */
function shareCell(scenario, s) {
  if (scenario.churn !== undefined) return pct(s.failingShare);
  const fault = scenario.faults[0];
  if (fault !== undefined) return wholeFleet(scenario) ? "—" : pct(s.faultShare);
  if (oddFirst(scenario)) return pct(s.shares[0]);
  const classes = new Map();
  scenario.backends.forEach((b, i) => {
    const c = classes.get(b.workers) ?? { sum: 0, count: 0 };
    c.sum += s.shares[i];
    c.count++;
    classes.set(b.workers, c);
  });
  if (classes.size > 1) {
    return [...classes].map(([workers, c]) => `${workers}w ${pct(c.sum / c.count)}`).join(" · ");
  }
  const own = s.shares.slice(0, scenario.backends.length);
  return `${pct(Math.min(...own))}–${pct(Math.max(...own))}`;
}

/** The first fault hits every backend: there is no share to move. */
function wholeFleet(scenario) {
  return scenario.faults[0].nodes.length >= scenario.backends.length;
}

function shareHeader(scenario) {
  if (scenario.churn !== undefined) return "share to crashed nodes";
  const fault = scenario.faults[0];
  const fair = (k) => pct(k / scenario.backends.length);
  if (fault?.kind === "join") return `joiner's share once listed (fair ${fair(fault.nodes.length)})`;
  if (fault !== undefined) {
    return wholeFleet(scenario)
      ? "share to the faulty"
      : `faulty's share during the fault (fair ${fair(fault.nodes.length)})`;
  }
  if (oddFirst(scenario)) return `share of node 0 (fair ${fair(1)})`;
  if (new Set(scenario.backends.map((b) => b.workers)).size > 1) return "mean share per node, by workers";
  return "share per node (min–max)";
}

/**
 * One scenario's table: a row per balancer. Columns that only some scenarios have: the errors
 * while the fault lasted, off / back / back to 60% (a fault on some backends, a join, churn), and
 * errors back to about 0 (a fault on the whole fleet).
 */
export function scenarioTable(scenario, summaries) {
  const rr = summaries.find((s) => s.balancer === "rr");
  const jsq = summaries.find((s) => s.balancer === "jsq");
  const sed = summaries.find((s) => s.balancer === "sed");
  const header = [
    "balancer",
    "p50",
    "p90",
    "p99",
    "p99.9",
    "p99 ÷ SED",
    "p99 ÷ JSQ",
    "p99 ÷ RR",
    "p99.9 ÷ JSQ",
    "p99, failure = miss",
    "errors",
    "errors ÷ RR",
  ];
  const fault = scenario.faults[0];
  const during = fault !== undefined && fault.kind !== "join";
  if (during) header.push("errors during the fault");
  header.push(shareHeader(scenario));
  const shares = (fault !== undefined && !wholeFleet(scenario)) || scenario.churn !== undefined;
  if (shares) header.push("off after", "back after");
  const recovered = summaries[0].recoveredMs !== undefined;
  if (recovered) header.push("back to 60% after");
  const settled = summaries[0].settleMs !== undefined;
  if (settled) header.push("errors ~0 after");
  const rows = summaries.map((s) => {
    const row = [
      s.balancer,
      ms(s.p50),
      ms(s.p90),
      ms(s.p99),
      ms(s.p999),
      ratio(div(s.p99, sed.p99)),
      ratio(div(s.p99, jsq.p99)),
      ratio(div(s.p99, rr.p99)),
      ratio(div(s.p999, jsq.p999)),
      missCell(s.p99Miss),
      pct(s.errorRate),
      ratio(div(s.errorRate, rr.errorRate)),
    ];
    if (during) row.push(pct(s.faultErrorRate));
    row.push(shareCell(scenario, s));
    if (shares) row.push(ms(s.offMs), ms(s.backMs));
    if (recovered) row.push(ms(s.recoveredMs));
    if (settled) row.push(ms(s.settleMs));
    return row;
  });
  return table(header, rows);
}

/** p2c under each cost across every scenario: the before/after view. */
export function overviewTable(scenarios, bySc, variants) {
  const header = ["scenario"];
  for (const v of variants) header.push(`${v} p99 ÷ JSQ`, `${v} p99.9 ÷ JSQ`, `${v} errors`);
  header.push("RR errors");
  const rows = scenarios.map((scenario) => {
    const list = bySc.get(scenario.name);
    const jsq = list.find((s) => s.balancer === "jsq");
    const rr = list.find((s) => s.balancer === "rr");
    const row = [scenario.name];
    for (const v of variants) {
      const s = list.find((x) => x.balancer === v);
      row.push(ratio(div(s.p99, jsq.p99)), ratio(div(s.p999, jsq.p999)), pct(s.errorRate));
    }
    row.push(pct(rr.errorRate));
    return row;
  });
  return table(header, rows);
}

/** Issue #7's targets for each p2c variant: the measured value, the limit, and the verdict. */
export function targetChecks(scenarios, bySc, variants) {
  const checks = [];
  for (const scenario of scenarios.filter((s) => s.target)) {
    const list = bySc.get(scenario.name);
    const jsq = list.find((s) => s.balancer === "jsq");
    const rr = list.find((s) => s.balancer === "rr");
    for (const v of variants) {
      const s = list.find((x) => x.balancer === v);
      const add = (what, value, limit, shown, limitShown) =>
        checks.push({
          scenario: scenario.name,
          balancer: v,
          what,
          value,
          limit,
          shown,
          limitShown,
          pass: value <= limit,
        });
      const p99Oracle = div(s.p99, jsq.p99);
      const p99Rr = div(s.p99, rr.p99);
      const errRr = rr.errorRate > 0 ? s.errorRate / rr.errorRate : 0;
      add("p99 ÷ JSQ", p99Oracle, TARGETS.p99VsOracle, ratio(p99Oracle), `≤ ${TARGETS.p99VsOracle}×`);
      add("p99 ÷ RR", p99Rr, TARGETS.p99VsRoundRobin, ratio(p99Rr), `≤ ${TARGETS.p99VsRoundRobin}×`);
      // The same with failures counted as misses (an SLO's view): RR's p99 is a miss when over 1%
      // of its calls fail, and then any p2c p99 that is an answer meets the target.
      const missRr = !Number.isFinite(rr.p99Miss)
        ? Number.isFinite(s.p99Miss)
          ? 0
          : 1
        : div(s.p99Miss, rr.p99Miss);
      add(
        "p99 ÷ RR, failure = miss",
        missRr,
        TARGETS.p99VsRoundRobin,
        Number.isFinite(rr.p99Miss) ? ratio(missRr) : `${missCell(s.p99Miss)} vs miss`,
        `≤ ${TARGETS.p99VsRoundRobin}×`,
      );
      add("errors ÷ RR", errRr, TARGETS.errorsVsRoundRobin, ratio(errRr), `≤ ${TARGETS.errorsVsRoundRobin}×`);
      const back = s.backMs ?? Number.POSITIVE_INFINITY;
      add("back to ½ fair share", back, TARGETS.backMs, `${ms(back)} ms`, "≤ 10,000 ms");
    }
  }
  return checks;
}

export function checksTable(checks, variants) {
  const keys = [...new Set(checks.map((c) => `${c.scenario}\u0000${c.what}`))];
  const header = ["scenario", "target", "limit", ...variants];
  const rows = keys.map((key) => {
    const [scenario, what] = key.split("\u0000");
    const own = checks.filter((c) => c.scenario === scenario && c.what === what);
    return [
      scenario,
      what,
      own[0].limitShown,
      ...variants.map((v) => {
        const c = own.find((x) => x.balancer === v);
        return c === undefined ? "—" : `${c.shown} ${c.pass ? "PASS" : "MISS"}`;
      }),
    ];
  });
  return table(header, rows);
}
