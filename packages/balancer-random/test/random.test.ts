import { InvalidArgumentError } from "@switchyard/api";
import { WARNING_CODE } from "@switchyard/kit";
import { createNode } from "@switchyard/selector-core";
import { describeBalancerConformance, seededRandom } from "@switchyard/testkit";
import { afterEach, describe, expect, it, vi } from "vitest";
import { random } from "../src/random.js";

describeBalancerConformance({ name: "random", selector: () => random(), distribution: "even" });

describe("random", () => {
  it("is uniform whatever the weights (chi-square over 10 nodes, 50,000 picks)", () => {
    const nodes = Array.from({ length: 10 }, (_, i) =>
      createNode({ scheme: "http", address: `n${i}:1`, initialWeight: i === 0 ? 1000 : 1 }),
    );
    const selector = random({ random: seededRandom(42) }).build();
    selector.apply(nodes);
    const counts = new Map<string, number>();
    const picks = 50_000;
    for (let i = 0; i < picks; i++) {
      const a = selector.select().node.address;
      counts.set(a, (counts.get(a) ?? 0) + 1);
    }
    const expected = picks / nodes.length;
    const chi2 = [...counts.values()].reduce((sum, c) => sum + (c - expected) ** 2 / expected, 0);
    expect(counts.size).toBe(10);
    expect(chi2).toBeLessThan(27.88); // p = 0.001 for 9 degrees of freedom
  });

  it("follows the random source it is given", () => {
    const nodes = Array.from({ length: 4 }, (_, i) => createNode({ scheme: "http", address: `n${i}:1` }));
    const draws = [0, 0.26, 0.5, 0.99];
    let i = 0;
    const selector = random({ random: () => draws[i++]! }).build();
    selector.apply(nodes);
    expect(draws.map(() => selector.select().node.address)).toEqual(["n0:1", "n1:1", "n2:1", "n3:1"]);
  });
});

describe("random: a random source that breaks its contract", () => {
  const four = () => Array.from({ length: 4 }, (_, i) => createNode({ scheme: "http", address: `n${i}:1` }));

  afterEach(() => {
    vi.restoreAllMocks();
  });

  function selectorDrawing(draws: readonly unknown[]) {
    let i = 0;
    const selector = random({ random: () => draws[i++] as number }).build();
    selector.apply(four());
    return () => selector.select().node.address;
  }

  it("clamps a draw of 1 or more to the last node and a negative draw to the first, never failing the call", () => {
    vi.spyOn(process, "emitWarning").mockImplementation(() => {});
    const next = selectorDrawing([1, -0.5, 7, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 0.999]);
    expect(Array.from({ length: 7 }, next)).toEqual(["n3:1", "n0:1", "n3:1", "n3:1", "n0:1", "n0:1", "n3:1"]);
  });

  it("draws from Math.random instead when the source gives NaN, a non-number or throws", () => {
    vi.spyOn(process, "emitWarning").mockImplementation(() => {});
    vi.spyOn(Math, "random").mockReturnValue(0.6);
    const broken = [Number.NaN, "0.1", 1n, Symbol("draw"), undefined, { valueOf: () => 0.1 }];
    const next = selectorDrawing(broken);
    expect(Array.from({ length: broken.length }, next)).toEqual(broken.map(() => "n2:1"));
    const throwing = random({
      random: () => {
        throw new Error("entropy pool empty");
      },
    }).build();
    throwing.apply(four());
    expect(throwing.select().node.address).toBe("n2:1");
  });

  it("reports the first bad draw of a balancer once, as a process warning", () => {
    const emitted = vi.spyOn(process, "emitWarning").mockImplementation(() => {});
    const next = selectorDrawing([1, Number.NaN, -1, 0.5]);
    for (let i = 0; i < 4; i++) next();
    expect(emitted).toHaveBeenCalledTimes(1);
    expect(String(emitted.mock.calls[0]![0])).toMatch(/^random: the random source returned 1/);
    expect(emitted.mock.calls[0]![1]).toMatchObject({ code: WARNING_CODE });
  });

  it("refuses a random option that is not a function when built", () => {
    expect(() => random({ random: 0.5 as never })).toThrow(InvalidArgumentError);
    expect(() => random({ random: 0.5 as never })).toThrow(/random: random must be a function/);
  });
});

describe("random with endpoint health", () => {
  it("draws no node the health layer ejected; health: false draws it as before", async () => {
    const { createFakeClock } = await import("@switchyard/testkit");
    const clock = createFakeClock();
    const nodes = Array.from({ length: 5 }, (_, i) => createNode({ scheme: "http", address: `n${i}:1` }));
    const refused = {
      error: Object.assign(new Error("refused"), { code: "ECONNREFUSED" }),
      bytesSent: false,
    };
    for (const [health, expected] of [
      [undefined, 3],
      [false, 200],
    ] as const) {
      const selector = random({ clock, random: seededRandom(3), health }).build();
      selector.apply(nodes);
      let picks = 0;
      for (let i = 0; i < 1000; i++) {
        const { node, done } = selector.select();
        if (node === nodes[0]) picks++;
        done(node === nodes[0] ? refused : {});
      }
      expect(picks).toBeCloseTo(expected, -1.5);
    }
  });

  it("gives a node that joins about a tenth of a node's share at first (slow start)", async () => {
    const { createFakeClock } = await import("@switchyard/testkit");
    const clock = createFakeClock();
    const nodes = Array.from({ length: 5 }, (_, i) => createNode({ scheme: "http", address: `n${i}:1` }));
    const selector = random({ clock, random: seededRandom(5) }).build();
    selector.apply(nodes.slice(0, 4));
    clock.advance(1000); // a node joining a fleet, not the fleet arriving
    selector.apply(nodes);
    let joiner = 0;
    for (let i = 0; i < 10_000; i++) {
      const { node, done } = selector.select();
      if (node === nodes[4]) joiner++;
      done({});
    }
    // A node's share is 20%; a tenth of it, plus what the redraws bring back: about 2.4%.
    expect(joiner / 10_000).toBeGreaterThan(0.015);
    expect(joiner / 10_000).toBeLessThan(0.035);
    clock.advance(10_000); // the ramp is over: a fifth again
    let later = 0;
    for (let i = 0; i < 10_000; i++) {
      const { node, done } = selector.select();
      if (node === nodes[4]) later++;
      done({});
    }
    expect(later / 10_000).toBeCloseTo(0.2, 1);
  });
});
