import { describe, expect, it } from "vitest";
import { BALANCERS } from "../sim/balancers.mjs";
import { simulate } from "../sim/engine.mjs";
import { summarise } from "../sim/metrics.mjs";
import { SCENARIOS } from "../sim/scenarios.mjs";

// Small scenarios (5 backends, 10 s of virtual time, about 7,000 calls per run) so the file runs in
// a few seconds; the full scenarios are bench/sim's (pnpm sim).

interface Fault {
  kind: string;
  nodes: number[];
  from: number;
  to: number;
  [key: string]: unknown;
}

function small(name: string, faults: Fault[]) {
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
  };
}

const spec = (name: string) => {
  const found = BALANCERS.find((b: { name: string }) => b.name === name);
  if (found === undefined) throw new Error(`no balancer ${name}`);
  return found;
};

function run(scenario: ReturnType<typeof small>, balancer: string, seed = 1) {
  return summarise(simulate(scenario, spec(balancer), { seed }), scenario);
}

const slow = small("slow", [{ kind: "slow", nodes: [0], factor: 10, from: 3000, to: 7000 }]);
const failFast = small("fail-fast", [{ kind: "fail", mode: "refuse", nodes: [0], from: 3000, to: 7000 }]);

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
    const kratos = run(failFast, "p2c-kratos");
    const linear = run(failFast, "p2c-linear");
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

  it("defines the scenarios the issue asks for", () => {
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
    ]) {
      expect(names).toContain(name);
    }
  });
});
