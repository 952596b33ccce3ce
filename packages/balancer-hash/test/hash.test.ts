import { type DoneFunc, InvalidArgumentError, type Node, type NodeFilter } from "@switchyard/api";
import { createSelectorBuilder, ewma } from "@switchyard/selector-core";
import { createFakeClock, describeBalancerConformance, seededRandom } from "@switchyard/testkit";
import { describe, expect, it, vi } from "vitest";
import { HashBalancer } from "../src/balancer.js";
import { hash, hashBalancerBuilder } from "../src/hash.js";
import { KEY_REPORT_INTERVAL_MS } from "../src/key-reader.js";
import { byAttribute, counts, fleet, hashSelector, keyed, keys, route } from "./helpers.js";

// Calls without a key: two nodes drawn by weight, the less loaded wins; with nothing in flight that
// is a draw by weight.
describeBalancerConformance({
  name: "hash (calls without a key)",
  selector: () => hash({ key: () => undefined }),
  distribution: "weighted",
});
// Every call with a fresh key: keys spread by weight over the ring.
let next = 0;
describeBalancerConformance({
  name: "hash (a fresh key per call)",
  selector: () => hash({ key: () => `k${next++}` }),
  distribution: "weighted",
});

describe("hash: stickiness", () => {
  it("sends the same key to the same node while the list holds, in every selector", () => {
    const nodes = fleet(10);
    const a = hashSelector();
    const b = hashSelector();
    a.apply(nodes);
    b.apply([...nodes].reverse());
    const first = route(a, keys(500));
    expect(route(a, keys(500))).toEqual(first);
    // Another client with the same nodes in another order agrees on every key.
    expect(route(b, keys(500))).toEqual(first);
    // A re-sent list (same addresses, new node objects) moves nothing either.
    a.apply(fleet(10));
    expect(route(a, keys(500))).toEqual(first);
  });

  it("honours weights: a node of weight 300 holds about three times the keys of one of 100", () => {
    const selector = hashSelector();
    const nodes = fleet(4, { weights: [100, 100, 100, 300] });
    selector.apply(nodes);
    const held = counts(route(selector, keys(12_000)));
    const heavy = held.get(nodes[3]!.address)! / 12_000;
    expect(heavy).toBeGreaterThan(0.45);
    expect(heavy).toBeLessThan(0.55);
  });

  it("gives no key to a node of weight 0 while others have weight, and shares equally when none has", () => {
    const selector = hashSelector();
    const nodes = fleet(3, { weights: [0, 100, 100] });
    selector.apply(nodes);
    expect(counts(route(selector, keys(2000))).has(nodes[0]!.address)).toBe(false);
    const zero = fleet(3, { weights: [0, 0, 0] });
    selector.apply(zero);
    const held = counts(route(selector, keys(3000)));
    for (const node of zero) expect(held.get(node.address)! / 3000).toBeGreaterThan(0.25);
  });
});

describe("hash: filters", () => {
  const versions = ["1", "2", "1", "2", "1", "2", "1", "2", "1", "2"];
  const v2: NodeFilter = Object.assign((list: readonly Node[]) => list.filter((n) => n.version === "2"), {
    cacheKey: "v2",
  });
  const v2PerCall: NodeFilter = (list) => list.filter((n) => n.version === "2");

  it("routes a key to the same node whether the filter is cached or runs per call, and as the ring of those nodes alone", () => {
    const nodes = fleet(10, { versions });
    const selector = hashSelector();
    selector.apply(nodes);
    const alone = hashSelector();
    alone.apply(nodes.filter((n) => n.version === "2"));
    const expected = route(alone, keys(1000));
    for (const filter of [v2, v2PerCall]) {
      const got = new Map<string, string>();
      for (const key of keys(1000)) {
        const { node, done } = selector.select({ ...keyed(key), filters: [filter] });
        done();
        got.set(key, node.address);
      }
      expect(got).toEqual(expected);
    }
  });

  it("keeps the key's node when a filter keeps it: a narrower list moves only the keys of nodes it drops", () => {
    const nodes = fleet(10, { versions });
    const selector = hashSelector();
    selector.apply(nodes);
    const before = route(selector, keys(2000));
    for (const filter of [v2, v2PerCall]) {
      for (const key of keys(2000)) {
        const { node, done } = selector.select({ ...keyed(key), filters: [filter] });
        done();
        const home = nodes.find((n) => n.address === before.get(key))!;
        if (home.version === "2") expect(node.address).toBe(home.address);
        else expect(node.version).toBe("2");
      }
    }
  });

  it("routes a small filtered list (under a quarter of the ring) by a ring of its own, with the same answers", () => {
    const nodes = fleet(20, { versions: Array.from({ length: 20 }, (_, i) => (i < 2 ? "canary" : "1")) });
    const canary: NodeFilter = Object.assign(
      (list: readonly Node[]) => list.filter((n) => n.version === "canary"),
      { cacheKey: "canary" },
    );
    const selector = hashSelector();
    selector.apply(nodes);
    const alone = hashSelector();
    alone.apply(nodes.slice(0, 2));
    const expected = route(alone, keys(500));
    for (const key of keys(500)) {
      const { node, done } = selector.select({ ...keyed(key), filters: [canary] });
      done();
      expect(node.address).toBe(expected.get(key));
    }
  });
});

describe("hash: calls without a key", () => {
  it("sends a call without a key to the less loaded of two nodes drawn by weight, never refusing it", () => {
    const selector = hash({ key: () => undefined, random: seededRandom(3) }).build();
    const nodes = fleet(4);
    selector.apply(nodes);
    const held: DoneFunc[] = [];
    // 400 calls held open: in-flight counts stay close to even.
    const inflight = new Map<string, number>();
    for (let i = 0; i < 400; i++) {
      const { node, done } = selector.select();
      held.push(done);
      inflight.set(node.address, (inflight.get(node.address) ?? 0) + 1);
    }
    for (const count of inflight.values()) expect(Math.abs(count - 100)).toBeLessThanOrEqual(5);
    for (const done of held) done();
  });

  it("balances a call as one without a key when the key function throws or returns a non-string, and reports it at most once a minute", () => {
    const clock = createFakeClock();
    const warn = vi.fn();
    let mode: "throw" | "number" | "ok" = "throw";
    const selector = hash({
      clock,
      logger: { warn },
      key: () => {
        if (mode === "throw") throw new Error("no user");
        if (mode === "number") return 42 as unknown as string;
        return "user-1";
      },
    }).build();
    selector.apply(fleet(3));
    for (let i = 0; i < 5; i++) selector.select().done();
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]![0]).toMatch(
      /^hash: the key function threw \(no user\); the call was balanced/,
    );
    mode = "number";
    selector.select().done();
    expect(warn).toHaveBeenCalledTimes(1);
    clock.advance(KEY_REPORT_INTERVAL_MS);
    selector.select().done();
    expect(warn).toHaveBeenCalledTimes(2);
    expect(warn.mock.calls[1]![0]).toMatch(
      /returned number, not a string or undefined.*\(5 more failures since/,
    );
    mode = "ok";
    const first = selector.select();
    first.done();
    for (let i = 0; i < 20; i++) {
      const { node, done } = selector.select();
      expect(node).toBe(first.node);
      done();
    }
  });

  it("keeps working when the logger itself throws", () => {
    const emit = vi.spyOn(process, "emitWarning").mockImplementation(() => {});
    const selector = hash({
      logger: {
        warn: () => {
          throw new Error("logger down");
        },
      },
      key: () => {
        throw new Error("bad key");
      },
    }).build();
    selector.apply(fleet(2));
    expect(() => selector.select().done()).not.toThrow();
    expect(emit).toHaveBeenCalledTimes(1);
    emit.mockRestore();
  });
});

describe("hash: done", () => {
  it("counts a call once however often its done is called", () => {
    const selector = hashSelector({ loadFactor: 1 });
    const nodes = fleet(2);
    selector.apply(nodes);
    // With c = 1 and two nodes, two calls of one key in flight land on both nodes.
    const a = selector.select(keyed("k"));
    a.done();
    a.done();
    a.done();
    const b = selector.select(keyed("k"));
    const c = selector.select(keyed("k"));
    expect(b.node).toBe(a.node);
    expect(c.node).not.toBe(b.node);
    b.done();
    c.done();
  });

  it("ignores a done that comes after its node left and came back", () => {
    const selector = hashSelector({ loadFactor: 1 });
    const nodes = fleet(2);
    selector.apply(nodes);
    const home = selector.select(keyed("k"));
    selector.apply(nodes.filter((n) => n !== home.node));
    selector.apply(nodes);
    // The node came back with nothing in flight; the old call's done must not take it below zero.
    home.done();
    const b = selector.select(keyed("k"));
    const c = selector.select(keyed("k"));
    expect(b.node).toBe(home.node);
    expect(c.node).not.toBe(home.node);
  });
});

describe("hash: options", () => {
  it.each([
    [{}, /key must be a function/],
    [{ key: "x-user" }, /key must be a function/],
    [{ key: byAttribute, loadFactor: 0.9 }, /loadFactor must be a number ≥ 1.*got 0\.9/],
    [{ key: byAttribute, loadFactor: Number.NaN }, /loadFactor must be a number ≥ 1/],
    [{ key: byAttribute, points: 0 }, /points must be an integer from 1 to 65536/],
    [{ key: byAttribute, points: 2.5 }, /points must be an integer/],
    [{ key: byAttribute, random: 1 }, /random/],
    [{ key: byAttribute, logger: {} }, /logger must be an object with a warn/],
    [{ key: byAttribute, clock: {} }, /clock must have now\(\)/],
  ])("refuses %o when the builder is created", (options, message) => {
    expect(() => hash(options as never)).toThrow(InvalidArgumentError);
    expect(() => hash(options as never)).toThrow(message);
    expect(() => hashBalancerBuilder(options as never)).toThrow(message);
    expect(() => new HashBalancer(options as never)).toThrow(message);
  });

  it("turns bounded loads off with loadFactor Infinity: every call of a key goes to its node", () => {
    const selector = hashSelector({ loadFactor: Number.POSITIVE_INFINITY });
    selector.apply(fleet(5));
    const first = selector.select(keyed("hot"));
    for (let i = 0; i < 50; i++) expect(selector.select(keyed("hot")).node).toBe(first.node);
  });

  it("pairs with another node builder through hashBalancerBuilder, and reports to its done", () => {
    const clock = createFakeClock();
    const builder = createSelectorBuilder({
      balancer: hashBalancerBuilder({ key: byAttribute }),
      nodeBuilder: ewma({ clock }),
    });
    const selector = builder.build() as ReturnType<typeof builder.build> & {
      nodes(): readonly { stats(): { inflight: number } }[];
    };
    selector.apply(fleet(3));
    const { node, done } = selector.select(keyed("k"));
    const weighted = selector.nodes().find((n) => (n as unknown as Node).address === node.address)!;
    expect(weighted.stats().inflight).toBe(1);
    done({});
    expect(weighted.stats().inflight).toBe(0);
  });
});
