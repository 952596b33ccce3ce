import { describe, expect, it } from "vitest";
import { simulate } from "../sim/engine.mjs";
import { runScenario } from "../sim/routing.mjs";
import { CROSS_ZONE_MS, ROUTING_BALANCERS, ROUTING_SCENARIOS } from "../sim/routing-scenarios.mjs";

// The routing scenarios, shortened to 8 s of virtual time so the file runs in a few seconds; the
// full ones are `pnpm sim:routing`'s.

const short = (name: string) => {
  const scenario = ROUTING_SCENARIOS.find((s: { name: string }) => s.name === name)!;
  return {
    ...scenario,
    durationMs: 8000,
    faults: scenario.faults.map((f: object) => ({ ...f, from: 3000, to: 6000 })),
  };
};

const row = (rows: { balancer: string }[], prefix: string) =>
  rows.find((r) => r.balancer.startsWith(prefix))!;

describe("routing simulator: hot keys", () => {
  it("bounded loads keep the hottest key from melting its node; unbounded hashing does not", () => {
    const rows = runScenario(short("hot-keys-steep"), 1);
    const bounded = row(rows, "hash, loadFactor 1.25");
    const unbounded = row(rows, "hash, unbounded");
    expect(unbounded.peakInflight).toBeGreaterThan(100);
    expect(unbounded.summary.errorRate).toBeGreaterThan(0.05);
    expect(bounded.peakInflight).toBeLessThan(15);
    expect(bounded.summary.errorRate).toBe(0);
    // The bound moves calls off their key's node only as far as it must.
    expect(bounded.onHome).toBeGreaterThan(0.5);
    // Unbounded, every call goes to its key's node until endpoint health ejects the melted one.
    expect(unbounded.onHome).toBeGreaterThan(bounded.onHome);
    expect(unbounded.onHome).toBeLessThan(1);
    expect(row(rows, "p2c").onHome).toBeLessThan(0.2);
  });

  it("draws keys from their own stream: a scenario without keys logs none and picks without a key", () => {
    const scenario = { ...short("hot-keys"), keys: undefined };
    const seen: unknown[] = [];
    const run = simulate(
      scenario,
      {
        name: "probe",
        make: (ctx: { scenario: unknown }) => {
          const chooser = ROUTING_BALANCERS.keys[0]!.make(ctx);
          const pick = chooser.pick.bind(chooser);
          chooser.pick = (key: unknown) => {
            seen.push(key);
            return pick(key);
          };
          return chooser;
        },
      },
      { seed: 1 },
    );
    expect(run.keyLog.count).toBe(0);
    expect(new Set(seen)).toEqual(new Set([undefined]));
  });
});

describe("routing simulator: zones", () => {
  it("keeps every call in its caller's zone when the zones are even, and saves the cross-zone time", () => {
    const rows = runScenario(short("zones-even"), 1);
    const zoned = row(rows, "p2c + preferZone()");
    const plain = row(rows, "p2c, no zone filter");
    expect(zoned.local).toBe(1);
    expect(plain.local).toBeLessThan(0.6);
    expect(plain.summary.mean - zoned.summary.mean).toBeGreaterThan(CROSS_ZONE_MS / 2);
  });

  it("spills from a zone too small for its callers instead of overloading it", () => {
    for (const name of ["zones-small-local", "zones-thin-local"]) {
      const rows = runScenario(short(name), 1);
      const zoned = row(rows, "p2c + preferZone()");
      const any = row(rows, "p2c + preferZone({ minNodes: 1");
      expect(zoned.utilisationMax, name).toBeLessThan(0.85);
      expect(zoned.summary.errorRate, name).toBe(0);
      expect(any.utilisationA, name).toBeGreaterThan(1);
      expect(any.summary.errorRate, name).toBeGreaterThan(0);
    }
  });
});
