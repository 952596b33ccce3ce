import { createFakeClock } from "@switchyard/testkit";
import { describe, expect, it } from "vitest";
import { DEFAULT_WEIGHT, direct } from "../src/direct.js";
import { createNode } from "../src/node.js";

describe("direct node", () => {
  it("weighs the initial weight, or 100 when none, and never changes it", () => {
    const builder = direct();
    expect(builder.build(createNode({ scheme: "h", address: "a:1", initialWeight: 7 })).weight()).toBe(7);
    expect(builder.build(createNode({ scheme: "h", address: "a:1", initialWeight: 0 })).weight()).toBe(0);
    const plain = builder.build(createNode({ scheme: "h", address: "a:1" }));
    expect(plain.weight()).toBe(DEFAULT_WEIGHT);
    plain.pick()({ httpStatus: 503 });
    expect(plain.weight()).toBe(DEFAULT_WEIGHT);
  });

  it("records the pick time and carries it to a rebuilt node of the same address", () => {
    const clock = createFakeClock(500);
    const builder = direct({ clock });
    const first = builder.build(createNode({ scheme: "h", address: "a:1" }));
    expect(first.pickElapsed()).toBe(Number.POSITIVE_INFINITY);
    first.pick();
    clock.advance(40);
    expect(first.pickElapsed()).toBe(40);
    const second = builder.build(createNode({ scheme: "h", address: "a:1", initialWeight: 3 }), first);
    expect(second.pickElapsed()).toBe(40);
    expect(second.weight()).toBe(3);
    second.pick(clock.now() + 5);
    expect(second.pickElapsed(clock.now() + 5)).toBe(0);
  });

  it("with recordPickTime false, a pick reads no clock and records only a time it is given", () => {
    const fake = createFakeClock(100);
    let reads = 0;
    const clock = { ...fake, now: () => ++reads && fake.now() };
    const node = direct({ clock, recordPickTime: false }).build(createNode({ scheme: "h", address: "a:1" }));
    node.pick();
    expect(reads).toBe(0);
    expect(node.pickElapsed(200)).toBe(Number.POSITIVE_INFINITY);
    node.pick(150);
    expect(node.pickElapsed(200)).toBe(50);
  });
});

describe("directSelector", () => {
  const first = {
    name: "first",
    build: () => ({
      pick: (nodes: readonly import("@switchyard/api").WeightedNode[]) => ({
        node: nodes[0]!,
        done: nodes[0]!.pick(),
      }),
    }),
  };
  const refused = { error: Object.assign(new Error("refused"), { code: "ECONNREFUSED" }), bytesSent: false };

  it("gives the balancer direct nodes with health on, and off with health: false", async () => {
    const { directSelector } = await import("../src/direct-selector.js");
    for (const [health, state] of [
      [undefined, "ejected"],
      [false, undefined],
    ] as const) {
      const clock = createFakeClock();
      const selector = directSelector(first, { clock, health, logger: { warn: () => {} } }).build();
      selector.apply([
        createNode({ scheme: "h", address: "a:1" }),
        createNode({ scheme: "h", address: "b:1" }),
      ]);
      for (let i = 0; i < 3; i++) selector.select().done(refused);
      expect(selector.health?.()[0]?.state).toBe(state);
    }
  });

  it("reads the clock at no pick unless recordPickTime is asked for", async () => {
    const { directSelector } = await import("../src/direct-selector.js");
    const clock = createFakeClock();
    let reads = 0;
    const counting = { ...clock, now: () => (reads++, clock.now()) };
    const selector = directSelector(first, { clock: counting, health: false }).build();
    selector.apply([createNode({ scheme: "h", address: "a:1" })]);
    reads = 0;
    for (let i = 0; i < 10; i++) selector.select().done({});
    expect(reads).toBe(0);
  });
});
