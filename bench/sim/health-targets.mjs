// The endpoint-health targets (issue 14), for each balancer under test, over the same streams as
// round robin and the shortest-expected-delay oracle: the figure, the limit, and the verdict.
// A scenario names the targets that apply to it in `healthTargets`.

import { ms, pct, ratio, table } from "./format.mjs";

const div = (a, b) => (b > 0 ? a / b : Number.NaN);
const errorsVsRr = (s, { rr }) => (rr.errorRate > 0 ? s.errorRate / rr.errorRate : 0);
const isP2c = (name) => name.startsWith("p2c");
const msUnit = (v) => `${ms(v)}${Number.isFinite(v) ? " ms" : ""}`;

/**
 * Each target: what it measures, its limit, how to read a summary (`refs` holds the `rr` and `sed`
 * summaries of the same run), how to show the figure, and (`only`) the balancers it binds.
 */
export const HEALTH_TARGETS = {
  fullErrors: {
    what: "errors ÷ RR, a node failing all its calls",
    limit: 0.1,
    value: errorsVsRr,
    show: ratio,
    showLimit: "≤ 0.1×",
  },
  partialErrors: {
    what: "errors ÷ RR, a node failing a share",
    limit: 0.2,
    value: errorsVsRr,
    show: ratio,
    showLimit: "≤ 0.2×",
  },
  outageErrors: {
    what: "errors while 6 of 10 are down",
    limit: 0.02,
    value: (s) => s.faultErrorRate,
    show: pct,
    showLimit: "≤ 2% (p2c)",
    only: isP2c,
  },
  recovery60: {
    what: "back to ≥ 60% of fair share after",
    limit: 30_000,
    value: (s) => s.recoveredMs ?? Number.POSITIVE_INFINITY,
    show: msUnit,
    showLimit: "≤ 30,000 ms",
  },
  settle: {
    what: "errors back to ~0 after recovery",
    limit: 2000,
    value: (s) => s.settleMs ?? Number.POSITIVE_INFINITY,
    show: msUnit,
    showLimit: "≤ 2,000 ms",
  },
  p99Sed: {
    what: "p99 ÷ SED oracle",
    limit: 1.3,
    value: (s, { sed }) => div(s.p99, sed.p99),
    show: ratio,
    showLimit: "≤ 1.3×",
  },
};

/**
 * The checks of every scenario's `healthTargets` for every balancer that is not a reference:
 * `{ scenario, balancer, key, what, value, shown, limitShown, pass }`, `pass` undefined where the
 * target does not bind that balancer (the figure is still shown). `rr` gets a row of figures too.
 */
export function healthChecks(scenarios, bySc, names) {
  const checks = [];
  for (const scenario of scenarios) {
    const list = bySc.get(scenario.name);
    const refs = { rr: list.find((s) => s.balancer === "rr"), sed: list.find((s) => s.balancer === "sed") };
    for (const key of scenario.healthTargets ?? []) {
      const target = HEALTH_TARGETS[key];
      if (target === undefined)
        throw new Error(`sim: ${scenario.name} names an unknown health target ${key}`);
      for (const name of ["rr", ...names]) {
        const s = list.find((x) => x.balancer === name);
        const value = target.value(s, refs);
        const binds = name !== "rr" && (target.only === undefined || target.only(name));
        checks.push({
          scenario: scenario.name,
          balancer: name,
          key,
          what: target.what,
          value,
          shown: target.show(value),
          limitShown: target.showLimit,
          // NaN (nothing to compare with) is a miss: a target that cannot be read is not met.
          pass: binds ? value <= target.limit : undefined,
        });
      }
    }
  }
  return checks;
}

/** The checks as a table: a row per scenario and target, a column per balancer. */
export function healthTable(checks, names) {
  const keys = [...new Set(checks.map((c) => `${c.scenario}\u0000${c.key}`))];
  const header = ["scenario", "target", "limit", "rr", ...names];
  const rows = keys.map((k) => {
    const [scenario, key] = k.split("\u0000");
    const own = checks.filter((c) => c.scenario === scenario && c.key === key);
    const cell = (name) => {
      const c = own.find((x) => x.balancer === name);
      if (c === undefined) return "—";
      return c.pass === undefined ? c.shown : `${c.shown} ${c.pass ? "PASS" : "MISS"}`;
    };
    return [scenario, own[0].what, own[0].limitShown, cell("rr"), ...names.map(cell)];
  });
  return table(header, rows);
}

/** The checks that failed for the balancers in `strict` (the issue names wrr, random and p2c()). */
export function healthMisses(checks, strict) {
  return checks.filter((c) => strict.includes(c.balancer) && c.pass === false);
}
