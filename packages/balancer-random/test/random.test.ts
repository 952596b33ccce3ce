import { createNode } from "@switchyard/selector-core";
import { describeBalancerConformance, seededRandom } from "@switchyard/testkit";
import { describe, expect, it } from "vitest";
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
