import type {
  Balancer,
  CandidateInfo,
  Node,
  NodeFilter,
  WeightedNode,
  WeightedNodeBuilder,
} from "@switchyard/api";
import { createFakeClock } from "@switchyard/testkit";
import { describe, expect, it } from "vitest";
import { MAX_CACHED_FILTERS } from "../src/candidates.js";
import { DirectNode, direct } from "../src/direct.js";
import { type EwmaNode, ewma } from "../src/ewma.js";
import { createNode } from "../src/node.js";
import { createSelectorBuilder, type DefaultSelector } from "../src/selector.js";
import { WrappedNode } from "../src/wrapped-node.js";

const nodes = (n: number) =>
  Array.from({ length: n }, (_, i) =>
    createNode({ scheme: "http", address: `10.0.0.${i}:80`, version: i % 2 === 0 ? "1" : "2" }),
  );

/** Picks the first candidate; records every list and info it was handed. */
function recording(nodeBuilder: WeightedNodeBuilder = direct()) {
  const lists: (readonly WeightedNode[])[] = [];
  const infos: CandidateInfo[] = [];
  const balancer: Balancer = {
    pick(candidates, _context, info) {
      lists.push(candidates);
      infos.push(info);
      return { node: candidates[0]!, done: candidates[0]!.pick() };
    },
  };
  const selector = createSelectorBuilder({
    balancer: { name: "recording", build: () => balancer },
    nodeBuilder,
  }).build() as DefaultSelector;
  return { selector, lists, infos };
}

const keyed = (key: string, keep: (n: Node) => boolean): NodeFilter =>
  Object.assign((list: readonly Node[]) => list.filter(keep), { cacheKey: key });
const v2 = keyed("v2", (n) => n.version === "2");

describe("what the selector tells a balancer about its candidates", () => {
  it("hands the full list as stable: the same frozen array and the same info object on every pick", () => {
    const { selector, lists, infos } = recording();
    selector.apply(nodes(4));
    for (let i = 0; i < 3; i++) selector.select();
    expect(lists[0]).toBe(selector.nodes());
    expect(new Set(lists).size).toBe(1);
    expect(Object.isFrozen(lists[0])).toBe(true);
    expect(new Set(infos).size).toBe(1);
    expect(infos[0]).toEqual({ stable: true, staticWeights: true });
  });

  it("hands the cached result of a keyed filter as stable, and a list a filter made per call as not", () => {
    const { selector, lists, infos } = recording();
    selector.apply(nodes(4));
    const perCall: NodeFilter = (list) => list.filter((n) => n.version === "2");
    selector.select({ filters: [v2] });
    selector.select({ filters: [perCall] });
    selector.select({ filters: [v2] });
    selector.select({ filters: [perCall] });
    expect(lists[0]).toBe(lists[2]);
    expect(lists[1]).not.toBe(lists[3]);
    expect(infos.map((i) => i.stable)).toEqual([true, false, true, false]);
    // A keyed filter after a per-call one: its result is made per call too.
    selector.select({ filters: [perCall, v2] });
    expect(infos.at(-1)!.stable).toBe(false);
    // A filter reached through another keyed one, both cached: stable.
    const first = keyed("first", (n) => n.address === "10.0.0.1:80");
    selector.select({ filters: [v2, first] });
    selector.select({ filters: [v2, first] });
    expect(infos.at(-1)!.stable).toBe(true);
    expect(lists.at(-1)).toBe(lists.at(-2));
  });

  it("keeps a list stable through a filter without a cache key that returns its input", () => {
    const { selector, lists, infos } = recording();
    selector.apply(nodes(4));
    const all: NodeFilter = (list) => list;
    selector.select({ filters: [all] });
    selector.select({ filters: [v2, all] });
    expect(lists[0]).toBe(selector.nodes());
    expect(infos.map((i) => i.stable)).toEqual([true, true]);
  });

  it("hands a new stable list after an apply, and never again the old one", () => {
    const { selector, lists, infos } = recording();
    const list = nodes(4);
    selector.apply(list);
    selector.select({ filters: [v2] });
    selector.apply([...list]);
    selector.select({ filters: [v2] });
    expect(lists[1]).not.toBe(lists[0]);
    expect(infos.map((i) => i.stable)).toEqual([true, true]);
  });

  it("says a keyed filter's result is not stable once the cache of its input is full", () => {
    const { selector, infos } = recording();
    selector.apply(nodes(4));
    for (let k = 0; k <= MAX_CACHED_FILTERS; k++) {
      selector.select({ filters: [keyed(`k${k}`, (n) => n.address !== `10.0.0.${k % 4}:80`)] });
    }
    expect(infos.slice(0, MAX_CACHED_FILTERS).every((i) => i.stable)).toBe(true);
    expect(infos[MAX_CACHED_FILTERS]!.stable).toBe(false);
  });

  it("says weights are static when the node builder says so, whatever class its nodes are", () => {
    const clock = createFakeClock();
    const staticOf = (builder: WeightedNodeBuilder) => {
      const { selector, infos } = recording(builder);
      selector.apply(nodes(2));
      selector.select();
      selector.select({ filters: [(list) => list.slice(1)] });
      return infos.map((i) => i.staticWeights);
    };
    expect(staticOf(direct())).toEqual([true, true]);
    expect(staticOf(ewma({ clock }))).toEqual([false, false]);
    // Direct nodes from a builder that does not say so: the selector does not guess from classes.
    const inner = direct();
    expect(staticOf({ name: "quiet", build: (node, before) => inner.build(node, before) })).toEqual([
      false,
      false,
    ]);
    // Ewma nodes from a builder that does say so: the builder's word is the contract.
    const e = ewma({ clock });
    expect(
      staticOf({ name: "declared", staticWeights: true, build: (node, before) => e.build(node, before) }),
    ).toEqual([true, true]);
  });

  it("keeps the snapshot of an apply immutable while selects filter and cache", () => {
    const { selector } = recording();
    selector.apply(nodes(4));
    const snapshot = (selector as unknown as { snapshot: object }).snapshot;
    selector.select({ filters: [v2] });
    selector.select({ filters: [(list) => list.slice(1)] });
    expect(Object.isFrozen(snapshot)).toBe(true);
    expect(Object.isFrozen(selector.nodes())).toBe(true);
  });
});

describe("weighted nodes", () => {
  it("read every node field from raw, so a rebuilt ewma node follows its new node", () => {
    const clock = createFakeClock();
    const builder = ewma({ clock });
    const first = createNode({ scheme: "http", address: "a:1", version: "1", metadata: { zone: "eu" } });
    const node = builder.build(first) as EwmaNode;
    expect(node).toBeInstanceOf(WrappedNode);
    expect(Object.keys(node)).not.toContain("version");
    const second = createNode({ scheme: "https", address: "a:1", version: "2", initialWeight: 5 });
    expect(builder.build(second, node)).toBe(node);
    expect([node.scheme, node.version, node.initialWeight, node.metadata]).toEqual([
      "https",
      "2",
      5,
      second.metadata,
    ]);
    const d = direct().build(first);
    expect(d).toBeInstanceOf(DirectNode);
    expect(d).toBeInstanceOf(WrappedNode);
    expect([d.address, d.version, d.metadata.zone, d.raw]).toEqual(["a:1", "1", "eu", first]);
  });
});
