import { describeBalancerConformance, makeNodes, seededRandom } from "@switchyard/testkit";
import { describe, expect, it } from "vitest";
import { leastInflight } from "../src/index.js";

// The proof that a third party can publish a balancer: the same conformance suite the built-in
// balancers pass.
describeBalancerConformance({
  name: "least-inflight",
  selector: () => leastInflight(),
  distribution: "even",
});

describe("least-inflight", () => {
  it("sends the next call to the node with the fewest calls in flight", () => {
    const selector = leastInflight({ random: seededRandom(1) }).build();
    const nodes = makeNodes(3);
    selector.apply(nodes);
    const held = [selector.select(), selector.select(), selector.select()];
    expect(new Set(held.map((h) => h.node))).toEqual(new Set(nodes));
    held[1]!.done();
    expect(selector.select().node).toBe(held[1]!.node);
  });

  it("counts a call once even when done is called twice", () => {
    const selector = leastInflight({ random: seededRandom(2) }).build();
    const nodes = makeNodes(2);
    selector.apply(nodes);
    const a = selector.select();
    a.done();
    a.done();
    const b = selector.select(); // both at 0 again: either may be picked, none is negative
    const c = selector.select();
    expect(b.node).not.toBe(c.node);
  });
});
