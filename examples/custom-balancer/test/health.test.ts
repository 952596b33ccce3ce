import type { Node } from "@switchyard/api";
import { createFakeClock, makeNodes, seededRandom } from "@switchyard/testkit";
import { describe, expect, it } from "vitest";
import { leastInflight, weightedRandom } from "../src/index.js";

// The selector's health layer works for a balancer that knows nothing of it: the balancers here
// never look at a node's health, yet a node that refuses connections leaves their candidates.

const refused = {
  error: Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }),
  bytesSent: false,
};

function picksOf(select: () => { node: Node; done: (info?: object) => void }, bad: Node, count: number) {
  let toBad = 0;
  for (let i = 0; i < count; i++) {
    const { node, done } = select();
    if (node === bad) toBad++;
    done(node === bad ? refused : {});
  }
  return toBad;
}

describe("endpoint health for a third-party balancer", () => {
  it.each([
    ["least-inflight", () => leastInflight({ random: seededRandom(1) })],
    ["weighted-random", () => weightedRandom({ random: seededRandom(1) })],
  ])("%s: a node refusing connections gets three calls, then none until its probe", (_, builder) => {
    const selector = builder().build();
    const nodes = makeNodes(4);
    selector.apply(nodes);
    expect(picksOf(() => selector.select(), nodes[0]!, 400)).toBe(3);
    expect(selector.health?.()[0]).toMatchObject({ state: "ejected", reason: "connection-failures" });
  });

  it("the same balancer with health: false keeps sending it its share", async () => {
    const { createSelectorBuilder, direct } = await import("@switchyard/selector-core");
    const { leastInflightBalancerBuilder } = await import("../src/index.js");
    const selector = createSelectorBuilder({
      balancer: leastInflightBalancerBuilder(seededRandom(1)),
      nodeBuilder: direct({ clock: createFakeClock() }),
      health: false,
    }).build();
    const nodes = makeNodes(4);
    selector.apply(nodes);
    expect(picksOf(() => selector.select(), nodes[0]!, 400)).toBeGreaterThan(60);
  });
});
