import type { CandidateInfo, Node, NodeFilter } from "@switchyard/api";
import { createNode, direct } from "@switchyard/selector-core";
import { describeBalancerConformance, makeNodes, seededRandom } from "@switchyard/testkit";
import { describe, expect, it, vi } from "vitest";
import { WeightedRandomBalancer, weightedRandom } from "../src/index.js";

describeBalancerConformance({
  name: "weighted-random",
  selector: () => weightedRandom({ random: seededRandom(7) }),
  distribution: "weighted",
});

const STABLE: CandidateInfo = { stable: true, staticWeights: true };

/** Direct nodes of the given weights, with a spy on every weight(). */
function spied(weights: readonly number[]) {
  const builder = direct();
  const nodes = Object.freeze(
    weights.map((w, i) => builder.build(createNode({ scheme: "http", address: `n${i}`, initialWeight: w }))),
  );
  return { nodes, reads: nodes.map((n) => vi.spyOn(n, "weight")) };
}

describe("weighted-random", () => {
  it("reads the weights of a stable list with static weights once, and keeps the table for it", () => {
    const balancer = new WeightedRandomBalancer(seededRandom(3));
    const { nodes, reads } = spied([1, 2, 3]);
    for (let i = 0; i < 50; i++) balancer.pick(nodes, {}, STABLE);
    expect(reads.map((r) => r.mock.calls.length)).toEqual([1, 1, 1]);
  });

  it("reads every weight on every pick of a list made for one call, or of weights that change", () => {
    const balancer = new WeightedRandomBalancer(seededRandom(3));
    const { nodes, reads } = spied([1, 2, 3]);
    for (let i = 0; i < 10; i++) balancer.pick(nodes, {}, { stable: false, staticWeights: true });
    for (let i = 0; i < 10; i++) balancer.pick(nodes, {}, { stable: true, staticWeights: false });
    // At least once per pick each (the scan sums them, then walks to the drawn one).
    for (const r of reads) expect(r.mock.calls.length).toBeGreaterThanOrEqual(20);
  });

  it("picks the same way from a table as by reading every weight, and from a selector that passes no info", () => {
    const { nodes } = spied([5, 0, 1, 3]);
    const draws = Array.from({ length: 200 }, seededRandom(11));
    const run = (info?: CandidateInfo) => {
      let i = 0;
      const balancer = new WeightedRandomBalancer(() => draws[i++]!);
      return draws.map(() => nodes.indexOf(balancer.pick(nodes, {}, info as CandidateInfo).node));
    };
    const byTable = run(STABLE);
    expect(run({ stable: false, staticWeights: true })).toEqual(byTable);
    expect(run(undefined)).toEqual(byTable);
    expect(byTable).not.toContain(1); // weight 0
  });

  it("shares equally when every weight is 0", () => {
    const balancer = new WeightedRandomBalancer(seededRandom(5));
    const { nodes } = spied([0, 0]);
    const picked = new Set(Array.from({ length: 50 }, () => balancer.pick(nodes, {}, STABLE).node));
    expect(picked.size).toBe(2);
  });

  it("follows each stable list of a selector: the full list and a cached filter's result", () => {
    const selector = weightedRandom({ random: seededRandom(9) }).build();
    const nodes = makeNodes(4, { versions: ["1", "2", "1", "2"] });
    selector.apply(nodes);
    const v2 = Object.assign((list: readonly Node[]) => list.filter((n) => n.version === "2"), {
      cacheKey: "v2",
    }) as NodeFilter;
    const all = new Set<Node>();
    for (let i = 0; i < 200; i++) {
      all.add(selector.select().node);
      expect(selector.select({ filters: [v2] }).node.version).toBe("2");
    }
    expect(all.size).toBe(4);
  });
});
