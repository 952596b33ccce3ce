import {
  type Balancer,
  FilterError,
  InvalidArgumentError,
  NoAvailableNodeError,
  type Node,
  type NodeFilter,
  type WeightedNode,
} from "@switchyard/api";
import { createFakeClock } from "@switchyard/testkit";
import { describe, expect, it, vi } from "vitest";
import { DirectNode, direct } from "../src/direct.js";
import { type EwmaNode, ewma } from "../src/ewma.js";
import { createNode } from "../src/node.js";
import { createSelectorBuilder, type DefaultSelector } from "../src/selector.js";

const nodes = (n: number, version = (i: number) => (i % 2 === 0 ? "1.0.0" : "2.0.0")) =>
  Array.from({ length: n }, (_, i) =>
    createNode({ scheme: "http", address: `10.0.0.${i}:80`, serviceName: "helloworld", version: version(i) }),
  );

/** Always picks the first candidate; records what it saw. */
function firstBalancer() {
  const seen: (readonly WeightedNode[])[] = [];
  const updates: (readonly WeightedNode[])[] = [];
  const balancer: Balancer = {
    pick(candidates) {
      seen.push(candidates);
      return { node: candidates[0]!, done: candidates[0]!.pick() };
    },
    update(list) {
      updates.push(list);
    },
  };
  return { seen, updates, builder: { name: "first", build: () => balancer } };
}

const build = (options: { filters?: NodeFilter[]; nodeBuilder?: ReturnType<typeof direct> } = {}) => {
  const b = firstBalancer();
  const selector = createSelectorBuilder({
    balancer: b.builder,
    nodeBuilder: options.nodeBuilder ?? direct(),
    filters: options.filters,
  }).build() as DefaultSelector;
  return { selector, ...b };
};

/** A plain node object (not made by createNode), valid unless `fields` say otherwise. */
const plain = (fields: Record<string, unknown> = {}) => ({
  scheme: "http",
  address: "a:1",
  serviceName: "helloworld",
  initialWeight: 10,
  version: "1.0.0",
  metadata: { zone: "eu" },
  ...fields,
});

const v2: NodeFilter = Object.assign((list: readonly Node[]) => list.filter((n) => n.version === "2.0.0"), {
  cacheKey: "version=2.0.0",
});

describe("default selector", () => {
  it("returns the raw node object that was applied, with its done callback", () => {
    const { selector } = build();
    const list = nodes(3);
    selector.apply(list);
    const { node, done } = selector.select();
    expect(node).toBe(list[0]);
    expect(typeof done).toBe("function");
  });

  it("names the balancer and the service when no node is known", () => {
    const { selector } = build();
    expect(() => selector.select()).toThrow(NoAvailableNodeError);
    expect(() => selector.select()).toThrow(/^first: no node is known yet/);
  });

  it("names the filters and the known count when filters leave nothing", () => {
    const { selector } = build({ filters: [v2] });
    selector.apply(nodes(3, () => "1.0.0"));
    const none = function onlyCanary(list: readonly Node[]) {
      return list.filter((n) => n.metadata.canary === "true");
    };
    expect(() => selector.select({ filters: [none] })).toThrow(
      'first: no node of "helloworld" matched [version=2.0.0, onlyCanary]; 3 nodes known',
    );
  });

  it("runs the selector's filters first, then the call's, and passes the call context", () => {
    const seen: unknown[] = [];
    const spy: NodeFilter = (list, context) => {
      seen.push(context.attributes?.path, list.length);
      return list.slice(0, 1);
    };
    const { selector } = build({ filters: [v2] });
    selector.apply(nodes(6));
    const controller = new AbortController();
    const result = selector.select({
      filters: [spy],
      attributes: { path: "/hello" },
      signal: controller.signal,
    });
    expect(seen).toEqual(["/hello", 3]);
    expect(result.node.version).toBe("2.0.0");
  });

  it("computes a filter with a cacheKey once per node list", () => {
    const filter = vi.fn((list: readonly Node[]) => list.filter((n) => n.version === "2.0.0"));
    const cached = Object.assign(filter, { cacheKey: "v2" }) as NodeFilter;
    const { selector, seen } = build();
    selector.apply(nodes(10));
    for (let i = 0; i < 100; i++) selector.select({ filters: [cached] });
    expect(filter).toHaveBeenCalledTimes(1);
    expect(new Set(seen).size).toBe(1); // the balancer sees one stable array
    selector.apply(nodes(12));
    selector.select({ filters: [cached] });
    expect(filter).toHaveBeenCalledTimes(2);
  });

  it("stays correct when more distinct cache keys are used than it caches", () => {
    const { selector } = build();
    selector.apply(nodes(10));
    for (let k = 0; k < 100; k++) {
      const keep = k % 10;
      const filter = Object.assign((list: readonly Node[]) => list.filter((_, i) => i === keep), {
        cacheKey: `k${k}`,
      }) as NodeFilter;
      expect(selector.select({ filters: [filter] }).node.address).toBe(`10.0.0.${keep}:80`);
    }
  });

  it("does not cache a keyed filter that runs after an uncached one", () => {
    const filter = vi.fn((list: readonly Node[]) => list);
    const cached = Object.assign(filter, { cacheKey: "all" }) as NodeFilter;
    const { selector } = build();
    selector.apply(nodes(4));
    const fresh: NodeFilter = (list) => [...list];
    for (let i = 0; i < 3; i++) selector.select({ filters: [fresh, cached] });
    expect(filter).toHaveBeenCalledTimes(3);
  });

  it("wraps an error thrown by a filter in FilterError, with the cause", () => {
    const { selector } = build();
    selector.apply(nodes(2));
    const cause = new Error("header missing");
    const failing: NodeFilter = function byHeader() {
      throw cause;
    };
    try {
      selector.select({ filters: [failing] });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(FilterError);
      expect((error as FilterError).cause).toBe(cause);
      expect((error as FilterError).message).toBe('selector: filter "byHeader" threw: header missing');
    }
  });

  it("reports a filter that returns nodes it was not given", () => {
    const { selector } = build();
    selector.apply(nodes(2));
    const copying: NodeFilter = (list) => list.map((n) => ({ ...n }));
    expect(() => selector.select({ filters: [copying] })).toThrow(FilterError);
    expect(() => selector.select({ filters: [copying] })).toThrow(
      /returned a node it was not given \(10\.0\.0\.0:80\)/,
    );
    const stale = nodes(1);
    expect(() => selector.select({ filters: [() => stale] })).toThrow(FilterError);
  });

  it("reports a filter that brings back a node an earlier filter removed, or returns one twice", () => {
    const { selector } = build();
    const list = nodes(4);
    selector.apply(list);
    const all = selector.nodes();
    const restore: NodeFilter = () => all;
    expect(() => selector.select({ filters: [v2, restore] })).toThrow(
      /returned a node it was not given \(10\.0\.0\.0:80\)/,
    );
    const twice: NodeFilter = (input) => [input[0]!, input[0]!];
    expect(() => selector.select({ filters: [twice] })).toThrow(/returned 10\.0\.0\.0:80 twice/);
    const ok: NodeFilter = (input) => input.slice(1);
    expect(selector.select({ filters: [v2, ok] }).node.version).toBe("2.0.0");
  });

  it("caches a frozen copy, so a keyed filter may reuse its own output array", () => {
    const { selector } = build();
    selector.apply(nodes(4));
    const buffer: Node[] = [];
    const reusing = Object.assign(
      (input: readonly Node[]) => {
        buffer.length = 0;
        for (const n of input) if (n.version === "2.0.0") buffer.push(n);
        return buffer;
      },
      { cacheKey: "reusing" },
    ) as NodeFilter;
    selector.select({ filters: [reusing] });
    expect(Object.isFrozen(buffer)).toBe(false);
    selector.apply(nodes(6));
    expect(selector.select({ filters: [reusing] }).node.version).toBe("2.0.0");
  });

  it("reports a filter that returns something other than an array", () => {
    const { selector } = build();
    selector.apply(nodes(2));
    expect(() => selector.select({ filters: [(() => undefined) as never] })).toThrow(/returned undefined/);
    expect(() => selector.select({ filters: [(() => null) as never] })).toThrow(/returned null/);
  });

  it("refuses an async filter with FilterError and leaves no unhandled rejection behind", async () => {
    const { selector } = build();
    selector.apply(nodes(2));
    // A rejected promise nobody handles would fail this run (and kill a process by default).
    const byTenant = (async () => {
      throw new Error("tenant lookup failed");
    }) as unknown as NodeFilter;
    expect(() => selector.select({ filters: [byTenant] })).toThrow(FilterError);
    expect(() => selector.select({ filters: [byTenant] })).toThrow(/returned a promise/);
    const then = vi.fn();
    const thenable = (() => ({ then })) as unknown as NodeFilter;
    expect(() => selector.select({ filters: [thenable] })).toThrow(FilterError);
    expect(then).toHaveBeenCalledWith(undefined, expect.any(Function));
    const hostile = (() => ({
      // biome-ignore lint/suspicious/noThenProperty: a hostile would-be thenable is the input under test
      get then() {
        throw new Error("no then for you");
      },
    })) as unknown as NodeFilter;
    expect(() => selector.select({ filters: [hostile] })).toThrow(FilterError);
    await new Promise((resolve) => setImmediate(resolve));
  });

  it("refuses a filter that is not a function with InvalidArgumentError naming its position", () => {
    const { selector } = build();
    selector.apply(nodes(2));
    for (const bad of [null, undefined, "v2", 42, {}]) {
      expect(() => selector.select({ filters: [v2, bad as never] })).toThrow(InvalidArgumentError);
    }
    expect(() => selector.select({ filters: [v2, null as never] })).toThrow(
      /^selector: select: filters\[1\] is null, not a function/,
    );
    // Also when an earlier filter already left nothing.
    const none: NodeFilter = () => [];
    expect(() => selector.select({ filters: [none, null as never] })).toThrow(/filters\[1\] is null/);
    expect(() => selector.select({ filters: "v2" as never })).toThrow(/filters must be an array/);
    expect(() => selector.select({ filters: null as never })).toThrow(/filters must be an array/);
    expect(selector.select({ filters: [v2] }).node.version).toBe("2.0.0");
  });

  it("accepts raw nodes back from a filter and maps them to their weighted nodes", () => {
    const { selector, seen } = build();
    const list = nodes(3);
    selector.apply(list);
    const raw: NodeFilter = () => [list[2]!];
    expect(selector.select({ filters: [raw] }).node).toBe(list[2]);
    expect(seen[0]![0]).toBeInstanceOf(DirectNode);
  });

  it("hands the balancer a frozen list that a filter cannot modify", () => {
    const { selector } = build();
    selector.apply(nodes(3));
    const mutating: NodeFilter = (list) => {
      (list as Node[]).pop();
      return list;
    };
    expect(() => selector.select({ filters: [mutating] })).toThrow(FilterError);
    expect(selector.nodes()).toHaveLength(3);
  });
});

describe("apply", () => {
  it("tells the balancer the full new list", () => {
    const { selector, updates } = build();
    selector.apply(nodes(3));
    expect(updates.at(-1)).toBe(selector.nodes());
  });

  it("keeps ewma state for addresses that stay, and forgets addresses that leave", () => {
    const clock = createFakeClock();
    const { selector } = build({ nodeBuilder: ewma({ clock }) });
    const list = nodes(3);
    selector.apply(list);
    const { done } = selector.select();
    clock.advance(25);
    done();
    const kept = selector.nodes()[0] as EwmaNode;
    expect(kept.stats().latencyMs).toBe(25);
    // The same address comes back as a new node object (new metadata): statistics stay.
    const renewed = createNode({ scheme: "http", address: list[0]!.address, version: "3.0.0" });
    selector.apply([renewed, list[1]!]);
    const after = selector.nodes()[0] as EwmaNode;
    expect(after.stats().latencyMs).toBe(25);
    expect(after.raw).toBe(renewed);
    expect(selector.nodes()[1]).toBe((selector as DefaultSelector).nodes()[1]);
    // An address that left and came back starts afresh.
    selector.apply([list[1]!]);
    selector.apply([list[0]!, list[1]!]);
    expect((selector.nodes()[0] as EwmaNode).stats().latencyMs).toBeUndefined();
  });

  it("reuses the weighted node when the same node object is applied again", () => {
    const { selector } = build();
    const list = nodes(2);
    selector.apply(list);
    const before = selector.nodes();
    selector.apply([...list]);
    expect(selector.nodes()[0]).toBe(before[0]);
  });

  it.each([
    ["not an array", "nope", /expects an array of nodes/],
    ["a null item", [null], /item 0 is not a node/],
    ["an empty address", [{ scheme: "http", address: "" }], /item 0 is not a node with a non-empty address/],
    [
      "duplicate addresses",
      [createNode({ scheme: "http", address: "a:1" }), createNode({ scheme: "http", address: "a:1" })],
      /address a:1 appears twice/,
    ],
    [
      "a string weight",
      [plain({ initialWeight: "1" })],
      /node a:1 \(item 0\): initialWeight must be .*got "1"/,
    ],
    ["a fractional weight", [plain({ initialWeight: 1.5 })], /node a:1 \(item 0\): initialWeight/],
    [
      "a negative weight",
      [plain({ initialWeight: -1 })],
      /initialWeight must be undefined or an integer from 0/,
    ],
    ["a weight past MAX_WEIGHT", [plain({ initialWeight: 2 ** 31 })], /initialWeight/],
    ["a NaN weight", [plain({ initialWeight: Number.NaN })], /initialWeight/],
    ["an empty scheme", [plain({ scheme: "" })], /node a:1 \(item 0\): scheme must be a non-empty string/],
    ["a missing scheme", [plain({ scheme: undefined })], /scheme must be a non-empty string/],
    ["a numeric version", [plain({ version: 2 })], /node a:1 \(item 0\): version must be a string, got 2/],
    ["a missing serviceName", [plain({ serviceName: undefined })], /serviceName must be a string/],
    ["string metadata", [plain({ metadata: "abc" })], /node a:1 \(item 0\): metadata must be a plain object/],
    ["array metadata", [plain({ metadata: ["a"] })], /metadata must be a plain object/],
    ["missing metadata", [plain({ metadata: undefined })], /metadata must be a plain object/],
    ["a Map as metadata", [plain({ metadata: new Map() })], /metadata must be a plain object/],
    [
      "a non-string metadata value",
      [plain({ metadata: { zone: 3 } })],
      /metadata "zone" must be a string, got 3/,
    ],
    [
      "a bad node after good ones, named by address and index",
      [...nodes(2), plain({ address: "b:2", version: null })],
      /node b:2 \(item 2\): version must be a string, got null/,
    ],
  ])("refuses %s with InvalidArgumentError and keeps the previous list", (_, input, message) => {
    const { selector } = build();
    const good = nodes(2);
    selector.apply(good);
    const before = selector.nodes();
    expect(() => selector.apply(input as never)).toThrow(InvalidArgumentError);
    expect(() => selector.apply(input as never)).toThrow(message);
    expect(selector.nodes()).toBe(before);
    expect(good).toContain(selector.select().node);
  });

  it("accepts plain node objects whose every field is valid, and keeps their identity", () => {
    const { selector } = build();
    const list = [
      plain(),
      plain({ address: "b:2", initialWeight: undefined, metadata: Object.create(null) }),
      plain({ address: "c:3", initialWeight: 0, metadata: Object.freeze({ zone: "eu" }) }),
    ];
    selector.apply(list as never);
    expect(selector.nodes().map((n) => n.raw)).toEqual(list);
    expect(selector.select().node).toBe(list[0]);
  });

  it("a done callback is safe after its node was removed", () => {
    const clock = createFakeClock();
    const { selector } = build({ nodeBuilder: ewma({ clock }) });
    selector.apply(nodes(2));
    const { done } = selector.select();
    selector.apply([]);
    expect(() => done({ httpStatus: 503 })).not.toThrow();
    expect(() => done()).not.toThrow();
  });
});

describe("createSelectorBuilder", () => {
  it("rejects a missing balancer, node builder or a non-function filter", () => {
    const { builder } = firstBalancer();
    expect(() => createSelectorBuilder({ nodeBuilder: direct() } as never)).toThrow(InvalidArgumentError);
    expect(() => createSelectorBuilder({ balancer: builder } as never)).toThrow(/nodeBuilder must be/);
    expect(() =>
      createSelectorBuilder({ balancer: builder, nodeBuilder: direct(), filters: [v2, null as never] }),
    ).toThrow(/filters\[1\] is null, not a function/);
    expect(() =>
      createSelectorBuilder({ balancer: builder, nodeBuilder: direct(), filters: 7 as never }),
    ).toThrow(InvalidArgumentError);
  });

  it("builds independent selectors", () => {
    const builder = createSelectorBuilder({ balancer: firstBalancer().builder, nodeBuilder: direct() });
    const a = builder.build();
    const b = builder.build();
    a.apply(nodes(1));
    expect(() => b.select()).toThrow(NoAvailableNodeError);
  });
});
