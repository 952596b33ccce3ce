import {
  type Balancer,
  type CandidateInfo,
  FilterError,
  InvalidArgumentError,
  NoAvailableNodeError,
  type Node,
  type NodeFilter,
  type WeightedNode,
} from "@switchyard/api";
import { describe, expect, it, vi } from "vitest";
import { direct } from "../src/direct.js";
import { createNode } from "../src/node.js";
import { prefer } from "../src/prefer.js";
import { createSelectorBuilder } from "../src/selector.js";

const fleet = (versions: readonly string[]) =>
  versions.map((version, i) =>
    createNode({ scheme: "http", address: `10.0.0.${i}:80`, serviceName: "helloworld", version }),
  );

/** A version filter as filter-version makes it: cached per list. */
const version = (wanted: string): NodeFilter =>
  Object.assign((list: readonly Node[]) => list.filter((n) => n.version === wanted), {
    cacheKey: `version=${wanted}`,
  });

/** A selector whose balancer picks the first candidate and records what it was given. */
function selectorOver(nodes: readonly Node[]) {
  const seen: { list: readonly WeightedNode[]; info: CandidateInfo }[] = [];
  const balancer: Balancer = {
    pick(list, _context, info) {
      seen.push({ list, info });
      return { node: list[0]!, done: list[0]!.pick() };
    },
  };
  const selector = createSelectorBuilder({
    balancer: { name: "first", build: () => balancer },
    nodeBuilder: direct(),
  }).build();
  selector.apply(nodes);
  return { selector, seen };
}

describe("prefer", () => {
  it("routes to what the filter keeps while it keeps any node, and to its input otherwise", () => {
    const nodes = fleet(["1.0.0", "2.0.0", "1.0.0"]);
    const { selector, seen } = selectorOver(nodes);
    expect(selector.select({ filters: [prefer(version("2.0.0"))] }).node).toBe(nodes[1]);
    expect(seen.at(-1)!.list.map((n) => n.address)).toEqual([nodes[1]!.address]);
    selector.apply(nodes.filter((n) => n.version !== "2.0.0"));
    expect(selector.select({ filters: [prefer(version("2.0.0"))] }).node).toBe(nodes[0]);
    expect(seen.at(-1)!.list).toHaveLength(2);
  });

  it("has a cache key when its filter has one, so the selector runs it once per list and the balancer sees a stable list", () => {
    const inner = vi.fn((list: readonly Node[]) => list.filter((n) => n.version === "3.0.0"));
    const cached = prefer(Object.assign(inner, { cacheKey: "version=3.0.0" }));
    expect(cached.cacheKey).toBe("prefer(version=3.0.0)");
    expect(cached.name).toBe("prefer(version=3.0.0)");
    const { selector, seen } = selectorOver(fleet(["1.0.0", "2.0.0"]));
    for (let i = 0; i < 5; i++) selector.select({ filters: [cached] });
    expect(inner).toHaveBeenCalledTimes(1);
    // The fallback is the input itself: the full list, stable.
    for (const { info } of seen) expect(info.stable).toBe(true);
  });

  it("has no cache key when its filter has none, and runs on every select", () => {
    let calls = 0;
    const firstOnly = (list: readonly Node[]) => {
      calls++;
      return list.slice(0, 1);
    };
    const perCall = prefer(firstOnly);
    expect(perCall.cacheKey).toBeUndefined();
    expect(perCall.name).toBe("prefer(firstOnly)");
    expect(prefer((list) => list).name).toBe("prefer(anonymous filter)");
    const { selector } = selectorOver(fleet(["1.0.0", "2.0.0"]));
    for (let i = 0; i < 3; i++) selector.select({ filters: [perCall] });
    expect(calls).toBe(3);
  });

  it("chains: prefer(zone) then prefer(version) narrows in order, each falling back to what the one before kept", () => {
    const nodes = ["a/1", "a/2", "b/1", "b/2", "c/1"].map((spec, i) => {
      const [zone, major] = spec.split("/");
      return createNode({
        scheme: "http",
        address: `10.0.0.${i}:80`,
        version: `${major}.0.0`,
        metadata: { zone: zone! },
      });
    });
    const zone = (z: string): NodeFilter =>
      Object.assign((list: readonly Node[]) => list.filter((n) => n.metadata.zone === z), {
        cacheKey: `zone=${z}`,
      });
    const { selector, seen } = selectorOver(nodes);
    const addresses = () => seen.at(-1)!.list.map((n) => n.version + "@" + n.metadata.zone);
    selector.select({ filters: [prefer(zone("a")), prefer(version("2.0.0"))] });
    expect(addresses()).toEqual(["2.0.0@a"]);
    // Zone c has no 2.0.0: the zone's other versions, not 2.0.0 from elsewhere.
    selector.select({ filters: [prefer(zone("c")), prefer(version("2.0.0"))] });
    expect(addresses()).toEqual(["1.0.0@c"]);
    // The other order: 2.0.0 anywhere first, then the zone among those (none in c: every 2.0.0).
    selector.select({ filters: [prefer(version("2.0.0")), prefer(zone("c"))] });
    expect(addresses()).toEqual(["2.0.0@a", "2.0.0@b"]);
    // No zone d at all: both fall back, every node.
    selector.select({ filters: [prefer(zone("d")), prefer(version("9.0.0"))] });
    expect(seen.at(-1)!.list).toHaveLength(5);
  });

  it("still fails a call that a strict filter after it empties, naming every filter of the call", () => {
    const { selector } = selectorOver(fleet(["1.0.0", "2.0.0"]));
    const call = () => selector.select({ filters: [prefer(version("3.0.0")), version("9.9.9")] });
    expect(call).toThrow(NoAvailableNodeError);
    expect(call).toThrow(
      'first: no node of "helloworld" matched [prefer(version=3.0.0), version=9.9.9]; 2 nodes known',
    );
  });

  it("is reported under its own name when its filter throws, returns a promise or returns a foreign node", () => {
    const { selector } = selectorOver(fleet(["1.0.0"]));
    const throws = prefer(
      Object.assign(
        () => {
          throw new Error("boom");
        },
        { cacheKey: "boom" },
      ),
    );
    expect(() => selector.select({ filters: [throws] })).toThrow(FilterError);
    expect(() => selector.select({ filters: [throws] })).toThrow(
      'selector: filter "prefer(boom)" threw: boom',
    );
    const promise = prefer((() => Promise.resolve([])) as unknown as NodeFilter);
    expect(() => selector.select({ filters: [promise] })).toThrow(
      /filter "prefer\(anonymous filter\)" returned a promise/,
    );
    const stranger = createNode({ scheme: "http", address: "10.9.9.9:80" });
    expect(() => selector.select({ filters: [prefer(() => [stranger])] })).toThrow(
      /returned a node it was not given/,
    );
  });

  it("refuses a filter that is not a function", () => {
    expect(() => prefer("version=2.0.0" as never)).toThrow(InvalidArgumentError);
    expect(() => prefer(undefined as never)).toThrow(
      'prefer: expected a NodeFilter function such as version("2.0.0"), got undefined',
    );
  });
});
