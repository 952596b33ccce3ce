import { NoAvailableNodeError, type Node, type Selector } from "@switchyard/api";
import { p2c } from "@switchyard/balancer-p2c";
import { version } from "@switchyard/filter-version";
import { createFakeClock, type FakeClock, makeNodes, seededRandom } from "@switchyard/testkit";
import { describe, expect, it } from "vitest";
import { naiveP2c } from "../src/naive-p2c.mjs";

// p2c draws once per pick (integer part → a, fraction → b among the rest); the naive port draws
// twice, like Go's two Intn calls. Fed the first draw and then the fraction p2c would use, the
// naive port picks the same pair, so both can be driven through one scripted run.
function pairedDraws(seed: number, n: number): () => number {
  const source = seededRandom(seed);
  let second: number | undefined;
  return () => {
    if (second !== undefined) {
      const value = second;
      second = undefined;
      return value;
    }
    const x = source();
    const r = x * n;
    second = r - (r | 0);
    return x;
  };
}

interface Pending {
  readonly due: number;
  readonly done: (info?: object) => void;
  readonly failed: boolean;
}

type Script = (address: string, now: number, call: number) => { latency: number; failed: boolean };

/** One call per ms; the script says how long each call takes and whether it fails (a 503). */
function drive(selector: Selector, clock: FakeClock, steps: number, script: Script): string[] {
  const picks: string[] = [];
  let pending: Pending[] = [];
  for (let step = 0; step < steps; step++) {
    clock.advance(1);
    const now = clock.now();
    const due = pending.filter((p) => p.due <= now);
    pending = pending.filter((p) => p.due > now);
    for (const p of due) p.done(p.failed ? { httpStatus: 503 } : {});
    const { node, done } = selector.select();
    picks.push(node.address);
    const { latency, failed } = script(node.address, now, step);
    pending.push({ due: now + latency, done, failed });
  }
  return picks;
}

function share(picks: readonly string[], address: string): number {
  return picks.filter((a) => a === address).length / picks.length;
}

describe("naive-p2c, the benchmark baseline", () => {
  it("picks exactly what p2c picks over a run with fast, slow, stalling and failing nodes", () => {
    const nodes = makeNodes(5);
    const [fast, medium, slow, failing, stalling] = nodes.map((n) => n.address) as [
      string,
      string,
      string,
      string,
      string,
    ];
    // Jittered latencies (so decay matters), a node failing 2 calls in 3, and one that stalls at
    // 300 ms from t = 4 s to 6 s (so the in-flight prediction matters), then recovers.
    const script: Script = (address, now, call) => {
      const jitter = (call * 7919) % 11;
      if (address === fast) return { latency: 3 + jitter, failed: false };
      if (address === medium) return { latency: 15 + 2 * jitter, failed: false };
      if (address === slow) return { latency: 100 + 5 * jitter, failed: false };
      if (address === failing) return { latency: 6 + jitter, failed: call % 3 !== 0 };
      const stalled = now >= 5000 && now < 7000;
      return { latency: stalled ? 300 : 5 + jitter, failed: false };
    };

    const ourClock = createFakeClock(1000);
    const ours = p2c({ clock: ourClock, random: seededRandom(7), cost: "kratos", health: false }).build();
    ours.apply(nodes);
    const naiveClock = createFakeClock(1000);
    const naive = naiveP2c({ clock: naiveClock, random: pairedDraws(7, nodes.length) }).build();
    naive.apply(nodes);

    const ourPicks = drive(ours, ourClock, 10_000, script);
    const naivePicks = drive(naive, naiveClock, 10_000, script);
    expect(naivePicks).toEqual(ourPicks);

    // And both steer: shares follow speed (the square root damps them), the failing node starves.
    const settled = ourPicks.slice(1000, 4000);
    expect(share(settled, fast)).toBeGreaterThan(share(settled, medium));
    expect(share(settled, medium)).toBeGreaterThan(share(settled, slow));
    expect(share(settled, slow)).toBeLessThan(0.2);
    expect(share(settled, failing)).toBeLessThan(0.05);
    const stall = ourPicks.slice(4300, 6000); // t = 5.3 s to 7 s
    expect(share(stall, stalling)).toBeLessThan(share(settled, stalling) / 2);
  });

  it("probes a starved node after 3 s, like p2c", () => {
    const nodes = makeNodes(2);
    const [fast, slow] = nodes.map((n) => n.address) as [string, string];
    const script: Script = (address) => ({ latency: address === fast ? 2 : 400, failed: false });
    const ourClock = createFakeClock(0);
    const ours = p2c({ clock: ourClock, random: seededRandom(3), cost: "kratos", health: false }).build();
    ours.apply(nodes);
    const naiveClock = createFakeClock(0);
    const naive = naiveP2c({ clock: naiveClock, random: pairedDraws(3, 2) }).build();
    naive.apply(nodes);

    const ourPicks = drive(ours, ourClock, 10_000, script);
    const naivePicks = drive(naive, naiveClock, 10_000, script);
    expect(naivePicks).toEqual(ourPicks);
    const slowPicks = ourPicks.flatMap((a, i) => (a === slow && i > 1000 ? [i] : []));
    expect(slowPicks.length).toBeGreaterThan(0);
    for (let i = 1; i < slowPicks.length; i++)
      expect(slowPicks[i]! - slowPicks[i - 1]!).toBeGreaterThan(2900);
  });

  it("picks the only node, keeps the raw node identity and ignores a second done", () => {
    const nodes = makeNodes(1);
    const naive = naiveP2c().build();
    naive.apply(nodes);
    const { node, done } = naive.select();
    expect(node).toBe(nodes[0]);
    done({});
    expect(() => done({})).not.toThrow();
  });

  it("routes nothing to a version the filter excludes, and throws NoAvailableNodeError when none matches", () => {
    const nodes: Node[] = makeNodes(10, {
      versions: Array.from({ length: 10 }, (_, i) => (i % 2 ? "2.0.0" : "1.0.0")),
    });
    const naive = naiveP2c().build();
    naive.apply(nodes);
    const v2 = version("2.0.0");
    for (let i = 0; i < 200; i++) {
      const { node, done } = naive.select({ filters: [v2] });
      expect(node.version).toBe("2.0.0");
      done({});
    }
    expect(() => naive.select({ filters: [version("3.0.0")] })).toThrow(NoAvailableNodeError);
  });
});
