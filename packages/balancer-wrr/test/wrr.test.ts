import { type DoneFunc, InvalidArgumentError, type Node, type WeightedNode } from "@switchyard/api";
import { createNode, createSelectorBuilder, direct, ewma, WrappedNode } from "@switchyard/selector-core";
import { createFakeClock, describeBalancerConformance } from "@switchyard/testkit";
import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import { WrrBalancer, wrr, wrrBalancerBuilder } from "../src/wrr.js";

describeBalancerConformance({ name: "wrr", selector: () => wrr(), distribution: "weighted" });

const named = (weights: readonly (number | undefined)[]) =>
  weights.map((w, i) =>
    createNode({ scheme: "http", address: String.fromCharCode(97 + i), initialWeight: w }),
  );

function sequence(nodes: readonly Node[], picks: number): string {
  const selector = wrr().build();
  selector.apply(nodes);
  let out = "";
  for (let i = 0; i < picks; i++) out += selector.select().node.address;
  return out;
}

/** The nginx loop, written as plainly as possible: the reference the fast path must match. */
function reference(weights: readonly number[], picks: number, scores = weights.map(() => 0)): number[] {
  const total = weights.reduce((a, b) => a + b, 0);
  const out: number[] = [];
  for (let p = 0; p < picks; p++) {
    let best = -1;
    for (let i = 0; i < weights.length; i++) {
      scores[i]! += weights[i]!;
      if (best < 0 || scores[i]! > scores[best]!) best = i;
    }
    scores[best]! -= total;
    out.push(best);
  }
  return out;
}

/** A third party's weighted node (not a DirectNode) that counts how often its weight is read. */
class CountedNode extends WrappedNode implements WeightedNode {
  reads = 0;
  weight(): number {
    this.reads++;
    return this.raw.initialWeight ?? 100;
  }
  pick(): DoneFunc {
    return () => {};
  }
  pickElapsed(): number {
    return Number.POSITIVE_INFINITY;
  }
}

describe("wrr", () => {
  it("weights 5, 1, 1 pick a a b a c a a", () => {
    expect(sequence(named([5, 1, 1]), 14)).toBe("aabacaaaabacaa");
  });

  it("weights 10 and 20 give exactly 30 and 60 over 90 picks, never three of the heavy node in a row", () => {
    const seq = sequence(named([10, 20]), 90);
    expect([...seq].filter((c) => c === "a")).toHaveLength(30);
    expect([...seq].filter((c) => c === "b")).toHaveLength(60);
    expect(seq).not.toContain("bbb");
  });

  it("uses 100 for nodes without a weight", () => {
    expect(sequence(named([undefined, 300]), 4)).toBe("babb");
  });

  it("gives no traffic to weight 0 while others have weight, and equal shares when all are 0", () => {
    expect(sequence(named([0, 1, 0]), 5)).toBe("bbbbb");
    expect(sequence(named([0, 0, 0]), 6)).toBe("abcabc");
  });

  it("refuses a plain node with a string weight and keeps splitting the previous list evenly", () => {
    const selector = wrr().build();
    selector.apply(named([10, 10]));
    const spread = () => {
      const counts: Record<string, number> = {};
      for (let i = 0; i < 20; i++) {
        const { address } = selector.select().node;
        counts[address] = (counts[address] ?? 0) + 1;
      }
      return counts;
    };
    expect(spread()).toEqual({ a: 10, b: 10 });
    const base = { scheme: "http", serviceName: "s", version: "", metadata: {} };
    const bad = [
      { ...base, address: "a", initialWeight: "1" },
      { ...base, address: "b", initialWeight: 10 },
    ];
    expect(() => selector.apply(bad as never)).toThrow(InvalidArgumentError);
    expect(() => selector.apply(bad as never)).toThrow(/node a \(item 0\): initialWeight/);
    expect(spread()).toEqual({ a: 10, b: 10 });
    expect(spread()).toEqual({ a: 10, b: 10 });
  });

  it("matches the plain nginx loop exactly for random weights (the fast path is exact)", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 20 }), { minLength: 1, maxLength: 40 }), (weights) => {
        const picks = weights.reduce((a, b) => a + b, 0) * 2 + 7;
        const expected = reference(weights, picks)
          .map((i) => String.fromCharCode(97 + i))
          .join("");
        const nodes = weights.map((w, i) =>
          createNode({ scheme: "h", address: String.fromCharCode(97 + i), initialWeight: w }),
        );
        expect(sequence(nodes, picks)).toBe(expected);
      }),
    );
  });

  it("is smooth: no node is ever more than one pick ahead of its ideal share", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 1000 }), { minLength: 2, maxLength: 30 }), (weights) => {
        const total = weights.reduce((a, b) => a + b, 0);
        const order = reference(weights, Math.min(total, 3000));
        const counts = weights.map(() => 0);
        let maxAhead = Number.NEGATIVE_INFINITY;
        order.forEach((winner, t) => {
          counts[winner]!++;
          for (let i = 0; i < weights.length; i++) {
            maxAhead = Math.max(maxAhead, counts[i]! - ((t + 1) * weights[i]!) / total);
          }
        });
        expect(maxAhead).toBeLessThanOrEqual(1 + 1e-9);
        // and the fast path gives the same order
        const nodes = weights.map((w, i) => createNode({ scheme: "h", address: `n${i}`, initialWeight: w }));
        const selector = wrr().build();
        selector.apply(nodes);
        const got = order.map(() => nodes.indexOf(selector.select().node));
        expect(got).toEqual(order);
      }),
      { numRuns: 60 },
    );
  });

  it("keeps scores per address across applies, and forgets addresses that left", () => {
    // After a a b for 5/1/1, re-applying the same addresses (new objects) continues the sequence.
    // Scores alone, without the health layer: under it a node that joins ramps its weight up.
    const selector = wrr({ health: false }).build();
    selector.apply(named([5, 1, 1]));
    const first = Array.from({ length: 3 }, () => selector.select().node.address).join("");
    selector.apply(named([5, 1, 1]));
    const rest = Array.from({ length: 4 }, () => selector.select().node.address).join("");
    expect(first + rest).toBe("aabacaa");
    // c leaves and comes back: a and b keep their scores, c starts from zero.
    const scores = [0, 0, 0];
    const expected = [...reference([5, 1, 1], 3, scores)];
    const ab = scores.slice(0, 2);
    expected.push(...reference([5, 1], 2, ab));
    expected.push(...reference([5, 1, 1], 7, [ab[0]!, ab[1]!, 0]));
    const replay = wrr({ health: false }).build();
    replay.apply(named([5, 1, 1]));
    const got: string[] = [];
    for (let i = 0; i < 3; i++) got.push(replay.select().node.address);
    replay.apply(named([5, 1]));
    for (let i = 0; i < 2; i++) got.push(replay.select().node.address);
    replay.apply(named([5, 1, 1]));
    for (let i = 0; i < 7; i++) got.push(replay.select().node.address);
    expect(ab).not.toEqual([0, 0]);
    expect(got.join("")).toBe(expected.map((i) => "abc"[i]).join(""));
  });

  it("rotates each stable candidate list on its own when filtered and unfiltered calls alternate", () => {
    const nodes = [
      createNode({ scheme: "h", address: "a", initialWeight: 3, version: "2" }),
      createNode({ scheme: "h", address: "b", initialWeight: 2, version: "2" }),
      createNode({ scheme: "h", address: "c", initialWeight: 1, version: "1" }),
    ];
    const selector = wrr().build();
    selector.apply(nodes);
    const onlyV2 = Object.assign((list: readonly Node[]) => list.filter((n) => n.version === "2"), {
      cacheKey: "v2",
    });
    const all: number[] = [];
    const v2: number[] = [];
    for (let i = 0; i < 30; i++) {
      all.push(nodes.indexOf(selector.select().node as never));
      v2.push(nodes.indexOf(selector.select({ filters: [onlyV2] }).node as never));
    }
    expect(all).toEqual(reference([3, 2, 1], 30));
    expect(v2).toEqual(reference([3, 2], 30));
  });

  it("shares scores per address with lists a filter makes per call (no cache key)", () => {
    const nodes = named([3, 2, 1]);
    const selector = wrr().build();
    selector.apply(nodes);
    const copy = (list: readonly Node[]) => [...list];
    const seq = Array.from({ length: 30 }, () => nodes.indexOf(selector.select({ filters: [copy] }).node));
    expect(seq).toEqual(reference([3, 2, 1], 30));
  });

  it("reads live weights on every pick for nodes whose weight changes", () => {
    const clock = createFakeClock();
    const selector = createSelectorBuilder({
      balancer: wrrBalancerBuilder,
      nodeBuilder: ewma({ clock }),
    }).build();
    const nodes = named([1, 1]);
    selector.apply(nodes);
    // a is slow: after one sample each, b's weight is far higher and wrr follows it.
    const a = selector.select({ filters: [(l) => l.filter((n) => n.address === "a")] });
    clock.advance(500);
    a.done();
    const b = selector.select({ filters: [(l) => l.filter((n) => n.address === "b")] });
    clock.advance(1);
    b.done();
    clock.advance(10);
    let toB = 0;
    for (let i = 0; i < 100; i++) {
      const { node, done } = selector.select();
      if (node.address === "b") toB++;
      done();
    }
    expect(toB).toBeGreaterThan(85);
  });

  it("treats NaN, negative and infinite live weights as 0", () => {
    const balancer = new WrrBalancer();
    const make = (address: string, w: number): WeightedNode =>
      ({ address, raw: {} as Node, weight: () => w, pick: () => () => {}, pickElapsed: () => 0 }) as never;
    const list = [
      make("nan", Number.NaN),
      make("neg", -5),
      make("inf", Number.POSITIVE_INFINITY),
      make("ok", 1),
    ];
    for (let i = 0; i < 10; i++) expect(balancer.pick(list).node.address).toBe("ok");
  });

  it("keeps state bounded over 10,000 applies of a churning 1,000-node list", () => {
    const pool = Array.from({ length: 2000 }, (_, i) =>
      createNode({ scheme: "h", address: `10.${i >> 8}.0.${i & 255}:1`, initialWeight: 1 + (i % 3) }),
    );
    const selector = wrr().build();
    for (let round = 0; round < 10_000; round++) {
      const start = (round * 37) % 1000;
      selector.apply(pool.slice(start, start + 1000));
      selector.select();
    }
    const balancer = (selector as unknown as { balancer: { scores: Map<string, unknown> } }).balancer;
    expect(balancer.scores.size).toBeLessThanOrEqual(1000);
  });

  it("keeps a plan for a stable list whose node builder declares static weights, whatever its node class", () => {
    const built: CountedNode[] = [];
    const selector = createSelectorBuilder({
      balancer: wrrBalancerBuilder,
      nodeBuilder: {
        name: "counted",
        staticWeights: true,
        build: (node) => {
          const counted = new CountedNode(node);
          built.push(counted);
          return counted;
        },
      },
    }).build();
    const nodes = named([3, 2, 1]);
    selector.apply(nodes);
    const seq = Array.from({ length: 60 }, () => nodes.indexOf(selector.select().node));
    expect(seq).toEqual(reference([3, 2, 1], 60));
    // The plan read each weight once; the O(n) path would have read them on every pick.
    expect(built.map((n) => n.reads)).toEqual([1, 1, 1]);
  });

  it("keeps no plan for a list the selector made for one pick, frozen or not", () => {
    const balancer = new WrrBalancer();
    const builder = direct();
    const list = Object.freeze(named([3, 2, 1]).map((n) => builder.build(n)));
    const reads = list.map((n) => vi.spyOn(n, "weight"));
    const seq = Array.from({ length: 30 }, () =>
      list.indexOf(balancer.pick(list, {}, { stable: false, staticWeights: true }).node),
    );
    expect(seq).toEqual(reference([3, 2, 1], 30));
    expect(reads.map((r) => r.mock.calls.length)).toEqual([30, 30, 30]);
  });
});

describe("wrr with endpoint health", () => {
  const refused = {
    error: Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }),
    bytesSent: false,
  };
  const fleet = (n: number) =>
    Array.from({ length: n }, (_, i) =>
      createNode({ scheme: "http", address: `10.0.0.${i}:80`, initialWeight: 10 }),
    );

  /** `count` selects whose calls to node 0 are refused; the picks per address. */
  function run(selector: ReturnType<ReturnType<typeof wrr>["build"]>, nodes: readonly Node[], count: number) {
    const picks = new Map<string, number>();
    for (let i = 0; i < count; i++) {
      const { node, done } = selector.select();
      picks.set(node.address, (picks.get(node.address) ?? 0) + 1);
      done(node === nodes[0] ? refused : { httpStatus: 200 });
    }
    return picks;
  }

  it("takes a node that refuses connections out of the rotation within three calls; health: false keeps its share", () => {
    const clock = createFakeClock();
    const nodes = fleet(6);
    const healthy = wrr({ clock }).build();
    healthy.apply(nodes);
    expect(run(healthy, nodes, 600).get(nodes[0]!.address)).toBe(3);
    const kratos = wrr({ clock, health: false }).build();
    kratos.apply(nodes);
    expect(run(kratos, nodes, 600).get(nodes[0]!.address)).toBe(100);
  });

  it("keeps a smooth rotation over the others while one is out, and gives it back when its probe succeeds", () => {
    const clock = createFakeClock();
    const nodes = fleet(3);
    const selector = wrr({ clock, health: { slowStartMs: 0 } }).build();
    selector.apply(nodes);
    run(selector, nodes, 9);
    const order = Array.from({ length: 6 }, () => {
      const { node, done } = selector.select();
      done({});
      return node.address.slice(-4);
    });
    expect(order).toEqual(["1:80", "2:80", "1:80", "2:80", "1:80", "2:80"]);
    clock.advance(1000);
    const probe = selector.select();
    expect(probe.node).toBe(nodes[0]);
    probe.done({ httpStatus: 200 });
    const back = new Map<string, number>();
    for (let i = 0; i < 300; i++) {
      const { node, done } = selector.select();
      back.set(node.address, (back.get(node.address) ?? 0) + 1);
      done({ httpStatus: 200 });
    }
    expect(back.get(nodes[0]!.address)).toBe(100);
  });
});
