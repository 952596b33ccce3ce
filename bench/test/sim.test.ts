import { describe, expect, it } from "vitest";
import { BALANCERS, balancers, selectorSpec } from "../sim/balancers.mjs";
import { BUCKET_MS, simulate } from "../sim/engine.mjs";
import { HEALTH_TARGETS, healthChecks, healthMisses, healthTable } from "../sim/health-targets.mjs";
import { errorsBetween, faultWindow, settle, summarise } from "../sim/metrics.mjs";
import { SCENARIOS } from "../sim/scenarios.mjs";

// Small scenarios (5 backends, 10 s of virtual time, about 7,000 calls per run) so the file runs in
// a few seconds; the full scenarios are bench/sim's (pnpm sim).

interface Fault {
  kind: string;
  nodes: number[];
  from: number;
  to?: number;
  [key: string]: unknown;
}

function small(name: string, faults: Fault[], fields: Record<string, unknown> = {}) {
  return {
    name,
    title: name,
    description: name,
    backends: Array.from({ length: 5 }, () => ({ workers: 2, service: { kind: "lognormal", mean: 10 } })),
    utilisation: 0.7,
    durationMs: 10_000,
    warmupMs: 1000,
    deadlineMs: 1000,
    discoveryLagMs: 500,
    faults,
    ...fields,
  };
}

// Every selector with and without health, so a test of today's behaviour can pin the `-nohealth`
// row, which the health layer leaves as it is.
const ALL = balancers({ compareHealth: true });

const spec = (name: string) => {
  const found = ALL.find((b: { name: string }) => b.name === name);
  if (found === undefined) throw new Error(`no balancer ${name}`);
  return found;
};

function run(scenario: ReturnType<typeof small>, balancer: string, seed = 1) {
  return summarise(simulate(scenario, spec(balancer), { seed }), scenario);
}

const slow = small("slow", [{ kind: "slow", nodes: [0], factor: 10, from: 3000, to: 7000 }]);
const failFast = small("fail-fast", [{ kind: "fail", mode: "refuse", nodes: [0], from: 3000, to: 7000 }]);
const gray = (mode: string) =>
  small(`gray-${mode}`, [{ kind: "gray", mode, share: 0.25, nodes: [0], from: 2000, to: 8000 }]);
// Three of five down at 70% of the two survivors' capacity.
const outage = small("outage", [{ kind: "fail", mode: "refuse", nodes: [0, 1, 2], from: 3000, to: 7000 }], {
  utilisationOf: 0.4,
});
const fleetDown = small("fleet-down", [
  { kind: "fail", mode: "refuse", nodes: [0, 1, 2, 3, 4], from: 3000, to: 6000, settle: true },
]);
const coldJoin = small("cold-join", [
  { kind: "join", nodes: [0], from: 3000, cold: { factor: 5, tauMs: 2000 } },
]);

describe("balancing simulator", () => {
  it("gives the same numbers for the same seed, and others for another seed", () => {
    const a = run(slow, "p2c-linear", 7);
    const b = run(slow, "p2c-linear", 7);
    expect(b).toEqual(a);
    const c = run(slow, "p2c-linear", 8);
    expect(c.p99).not.toBe(a.p99);
  });

  it("feeds every balancer the same workload for a seed", () => {
    const rr = run(slow, "rr");
    const jsq = run(slow, "jsq");
    expect(jsq.calls).toBe(rr.calls);
  });

  it("round robin spreads evenly and ignores a slow node; p2c sends it far less", () => {
    const rr = run(slow, "rr");
    for (const share of rr.shares) expect(share).toBeCloseTo(0.2, 3);
    expect(rr.faultShare).toBeCloseTo(0.2, 2);
    for (const balancer of ["p2c-kratos", "p2c-linear"]) {
      const p2c = run(slow, balancer);
      expect(p2c.faultShare).toBeLessThan(rr.faultShare / 2);
      expect(p2c.p99).toBeLessThan(rr.p99 / 2);
      expect(p2c.backMs).toBeLessThan(10_000); // back to half its fair share once it recovers
    }
  });

  it("the oracle sends nothing to a failing backend, round robin its full share", () => {
    expect(run(failFast, "jsq").faultShare).toBe(0);
    expect(run(failFast, "rr").faultShare).toBeCloseTo(0.2, 2);
  });

  it("the linear cost moves off a fast-failing node at once, Kratos's only after its success decays", () => {
    // The costs alone, without the health layer (which ejects the node within three refusals).
    const kratos = run(failFast, "p2c-kratos-nohealth");
    const linear = run(failFast, "p2c-linear-nohealth");
    const rr = run(failFast, "rr");
    expect(linear.offMs).toBeLessThanOrEqual(100);
    expect(kratos.offMs).toBeGreaterThan(500);
    expect(linear.errorRate).toBeLessThan(rr.errorRate / 5);
    expect(linear.errorRate).toBeLessThan(kratos.errorRate / 5);
  });

  it("counts failed calls as misses in the SLO view of p99", () => {
    const rr = run(failFast, "rr"); // 20% of calls for 4 s of 9: about 9% fail
    expect(rr.errorRate).toBeGreaterThan(0.05);
    expect(rr.p99Miss).toBe(Number.POSITIVE_INFINITY);
    expect(Number.isFinite(run(failFast, "p2c-linear").p99Miss)).toBe(true);
  });

  it("defines the scenarios the issues ask for, each naming only known health targets", () => {
    const names = SCENARIOS.map((s: { name: string }) => s.name);
    for (const name of [
      "homogeneous",
      "slow-node",
      "fail-fast",
      "fail-slow",
      "heterogeneous",
      "degrade",
      "churn",
      "scale-100",
      "scale-1000",
      "gray-fast",
      "gray-refuse",
      "gray-slow",
      "zone-outage",
      "fleet-outage",
      "flapping",
      "cold-join",
      "down-back",
    ]) {
      expect(names).toContain(name);
    }
    for (const s of SCENARIOS) {
      for (const key of s.healthTargets) expect(Object.keys(HEALTH_TARGETS)).toContain(key);
    }
    // A flapping node's faults are one span for its share and errors; a join lasts to the end.
    const flapping = SCENARIOS.find((s: { name: string }) => s.name === "flapping");
    expect(faultWindow(flapping)).toEqual({ nodes: [0], from: 8000, to: 22_000 });
    const join = SCENARIOS.find((s: { name: string }) => s.name === "cold-join");
    expect(faultWindow(join)).toEqual({ nodes: [0], from: 8000, to: 30_000 });
  });
});

describe("balancers with and without the health layer", () => {
  it("builds NAME-nohealth with health: false, NAME with the default options or the given health ones", () => {
    expect(selectorSpec("wrr").options).toEqual({});
    expect(selectorSpec("p2c-linear-nohealth").options).toEqual({ health: false });
    expect(selectorSpec("random", { consecutiveFailures: 3 }).options).toEqual({
      health: { consecutiveFailures: 3 },
    });
    expect(selectorSpec("wrr-nohealth", { consecutiveFailures: 3 }).options).toEqual({ health: false });
    expect(() => selectorSpec("round-robin")).toThrow(/no balancer round-robin/);
  });

  it("runs the references first, then each selector followed by its twin without health", () => {
    const names = (list: { name: string }[]) => list.map((b) => b.name);
    expect(names(BALANCERS)).toEqual(["rr", "jsq", "sed", "wrr", "random", "p2c-kratos", "p2c-linear"]);
    expect(names(balancers({ selectors: ["wrr", "p2c-linear"], compareHealth: true }))).toEqual([
      "rr",
      "jsq",
      "sed",
      "wrr",
      "wrr-nohealth",
      "p2c-linear",
      "p2c-linear-nohealth",
    ]);
    expect(names(balancers({ selectors: ["wrr-nohealth"], compareHealth: true }))).toEqual([
      "rr",
      "jsq",
      "sed",
      "wrr-nohealth",
    ]);
  });
});

describe("the shortest-expected-delay oracle", () => {
  it("knows each backend's speed: sends a slow backend less than join-shortest-queue does, and a failing one nothing", () => {
    const sed = run(slow, "sed");
    const jsq = run(slow, "jsq");
    expect(sed.faultShare).toBeLessThan(jsq.faultShare / 2);
    expect(sed.p99).toBeLessThanOrEqual(jsq.p99);
    expect(run(failFast, "sed").faultShare).toBe(0);
  });

  it("gives a cold backend less than its fair share while it warms up; round robin its full share", () => {
    const rr = run(coldJoin, "rr");
    const sed = run(coldJoin, "sed");
    expect(rr.faultShare).toBeCloseTo(0.2, 2);
    expect(sed.faultShare).toBeLessThan(0.15);
    expect(sed.errorRate).toBe(0);
    expect(rr.recoveredMs).toBe(BUCKET_MS); // listed, and at its fair share at once
    expect(sed.recoveredMs).toBeGreaterThan(1000);
  });
});

describe("endpoint-health scenarios", () => {
  it("a cold backend is not picked before it joins", () => {
    const raw = simulate(coldJoin, spec("rr"), { seed: 1 });
    let before = 0;
    for (let b = 0; b < 3000 / BUCKET_MS; b++) before += raw.picks[b];
    expect(before).toBe(0);
  });

  it("a gray failure fails its share of one backend's calls, fast or at the deadline; the oracles avoid it", () => {
    for (const mode of ["reject", "refuse", "hang"]) {
      const scenario = gray(mode);
      const rr = run(scenario, "rr");
      expect(rr.faultErrorRate).toBeGreaterThan(0.04); // 25% of a fifth
      expect(rr.faultErrorRate).toBeLessThan(0.06);
      expect(run(scenario, "sed").errorRate).toBe(0);
      expect(run(scenario, "p2c-linear-nohealth").errorRate).toBeLessThan(rr.errorRate);
      // Fast failures come back before any answer; a hanging call fails at the 1 s deadline.
      expect(rr.p99).toBeLessThan(mode === "hang" ? 1001 : 100);
      if (mode === "hang") expect(rr.p999).toBeCloseTo(1000, 6);
    }
  });

  it("three of five down: round robin fails three calls in five, p2c without health about both-draws-dead", () => {
    const rr = run(outage, "rr");
    expect(rr.faultErrorRate).toBeCloseTo(0.6, 1);
    const p2c = run(outage, "p2c-linear-nohealth");
    // Both draws dead: 3/5 × 2/4 = 30% of calls.
    expect(p2c.faultErrorRate).toBeGreaterThan(0.2);
    expect(p2c.faultErrorRate).toBeLessThan(0.4);
    expect(run(outage, "sed").faultErrorRate).toBe(0);
  });

  it("measures how soon errors settle after the whole fleet comes back", () => {
    const rr = run(fleetDown, "rr");
    expect(rr.faultErrorRate).toBe(1);
    expect(rr.settleMs).toBe(0);
    expect(rr.offMs).toBeUndefined(); // no share to move when every backend is down
    expect(rr.timeline).toBeUndefined();
  });

  it("settle: the end of the last window after the event that failed more than 1% of its calls", () => {
    const buckets = 20;
    const arrivals = new Int32Array(buckets).fill(100);
    const failures = new Int32Array(buckets);
    const raw = { buckets, arrivals, failures };
    expect(settle(raw, 5 * BUCKET_MS)).toBe(0);
    failures[7] = 5; // in the window of buckets 7–8 after an event at bucket 5
    failures[12] = 1; // 1 of 200: within the 1%
    expect(settle(raw, 5 * BUCKET_MS)).toBe(4 * BUCKET_MS);
    expect(errorsBetween(raw, 7 * BUCKET_MS, 9 * BUCKET_MS)).toBe(5 / 200);
  });

  it("counts the time to 60% of the fair share after a recovery", () => {
    const rr = run(failFast, "rr");
    expect(rr.recoveredMs).toBe(BUCKET_MS);
    expect(run(failFast, "p2c-kratos-nohealth").recoveredMs).toBeGreaterThan(rr.recoveredMs);
  });
});

describe("endpoint-health targets", () => {
  const summary = (balancer: string, fields: Record<string, number>) => ({ balancer, ...fields });
  const bySc = new Map([
    [
      "a",
      [
        summary("rr", { errorRate: 0.1, p99: 30, faultErrorRate: 0.6 }),
        summary("sed", { errorRate: 0, p99: 20, faultErrorRate: 0 }),
        summary("wrr", { errorRate: 0.1, p99: 30, faultErrorRate: 0.6 }),
        summary("p2c-linear", { errorRate: 0.005, p99: 27, faultErrorRate: 0.01 }),
      ],
    ],
  ]);
  const scenarios = [{ name: "a", healthTargets: ["fullErrors", "outageErrors", "p99Sed"] }];
  const checks = healthChecks(scenarios, bySc, ["wrr", "p2c-linear"]);
  const find = (balancer: string, key: string) =>
    checks.find((c: { balancer: string; key: string }) => c.balancer === balancer && c.key === key);

  it("judges each balancer against round robin and the SED oracle of the same run", () => {
    expect(find("wrr", "fullErrors")).toMatchObject({ value: 1, pass: false });
    expect(find("p2c-linear", "fullErrors")?.value).toBeCloseTo(0.05, 12);
    expect(find("p2c-linear", "fullErrors")?.pass).toBe(true);
    expect(find("wrr", "p99Sed")).toMatchObject({ value: 1.5, pass: false });
    expect(find("p2c-linear", "p99Sed")?.value).toBeCloseTo(1.35, 12);
    expect(find("p2c-linear", "p99Sed")?.pass).toBe(false);
  });

  it("binds the zone-outage target to p2c only, and round robin to none", () => {
    expect(find("wrr", "outageErrors")?.pass).toBeUndefined();
    expect(find("p2c-linear", "outageErrors")?.pass).toBe(true);
    expect(find("rr", "fullErrors")?.pass).toBeUndefined();
  });

  it("reports the misses of the named balancers only, and tables every figure", () => {
    const misses = healthMisses(checks, ["p2c-linear"]);
    expect(misses.map((c: { key: string }) => c.key)).toEqual(["p99Sed"]);
    const text = healthTable(checks, ["wrr", "p2c-linear"]);
    expect(text).toContain(
      "| a | errors ÷ RR, a node failing all its calls | ≤ 0.1× | 1.00× | 1.00× MISS | 0.050× PASS |",
    );
    expect(text).toContain(
      "| a | errors while 6 of 10 are down | ≤ 2% (p2c) | 60.00% | 60.00% | 1.00% PASS |",
    );
  });
});
