import { InvalidArgumentError, type Node, type NodeFilter } from "@switchyard/api";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createNode } from "../src/node.js";
import { DEFAULT_ZONE_MIN_NODES, DEFAULT_ZONE_MIN_SHARE, preferZone, ZONE_ENV } from "../src/zone.js";

/** Nodes in zones given as a string: "aab" is two nodes in zone a and one in zone b. */
const zones = (spec: string, weights: readonly (number | undefined)[] = []) =>
  [...spec].map((zone, i) =>
    createNode({ scheme: "http", address: `10.0.0.${i}:80`, initialWeight: weights[i], metadata: { zone } }),
  );

const zonesOf = (list: readonly Node[]) => list.map((n) => n.metadata.zone).join("");

const quiet = { warn: () => {} };

describe("preferZone", () => {
  const saved = process.env[ZONE_ENV];
  afterEach(() => {
    if (saved === undefined) delete process.env[ZONE_ENV];
    else process.env[ZONE_ENV] = saved;
  });

  it("keeps the caller's zone while it has enough nodes and weight", () => {
    const filter = preferZone({ zone: "a" });
    expect(zonesOf(filter(zones("aabbcc"), {}))).toBe("aa");
    expect(zonesOf(filter(zones("abcabc"), {}))).toBe("aa");
  });

  it("spills to every zone when the caller's zone has fewer than minNodes nodes, or none", () => {
    expect(DEFAULT_ZONE_MIN_NODES).toBe(2);
    const filter = preferZone({ zone: "a" });
    expect(zonesOf(filter(zones("abbcc"), {}))).toBe("abbcc");
    expect(zonesOf(filter(zones("bbcc"), {}))).toBe("bbcc");
    expect(zonesOf(filter(zones("abbc"), {}))).toBe("abbc");
    expect(zonesOf(preferZone({ zone: "a", minNodes: 1 })(zones("abbc"), {}))).toBe("a");
    expect(zonesOf(preferZone({ zone: "a", minNodes: 3 })(zones("aabbcc"), {}))).toBe("aabbcc");
  });

  it("spills when the caller's zone holds less than minShare of an even split of the weight", () => {
    expect(DEFAULT_ZONE_MIN_SHARE).toBe(0.75);
    const filter = preferZone({ zone: "a" });
    // Three zones, 2 of 10 nodes in a: 20% < 0.75 × 1/3 = 25%. Spill.
    expect(zonesOf(filter(zones("aabbbbcccc"), {}))).toBe("aabbbbcccc");
    // 3 of 11: 27% ≥ 25%. Stay.
    expect(zonesOf(filter(zones("aaabbbbcccc"), {}))).toBe("aaa");
    // Weights count, not nodes: a's two nodes weigh 400 of 800.
    expect(zonesOf(filter(zones("aabbbbcc", [200, 200]), {}))).toBe("aa");
    // minShare 0 turns the check off.
    expect(zonesOf(preferZone({ zone: "a", minShare: 0 })(zones("aabbbbbbbb"), {}))).toBe("aa");
  });

  it("counts only the nodes it is given: a zone whose nodes an earlier filter removed spills", () => {
    const filter = preferZone({ zone: "a" });
    const nodes = zones("aaabbbccc");
    const healthy = nodes.filter((_, i) => i !== 0 && i !== 1); // two of a's three nodes are out
    expect(zonesOf(filter(healthy, {}))).toBe("abbbccc");
  });

  it("reads the caller's zone from SWITCHYARD_ZONE when none is given", () => {
    process.env[ZONE_ENV] = "b";
    const filter = preferZone();
    expect(zonesOf(filter(zones("aabbcc"), {}))).toBe("bb");
    expect(filter.cacheKey).toBe(`prefer(zone=b,minNodes=2,minShare=0.75)`);
    expect(zonesOf(preferZone({ zone: "c" })(zones("aabbcc"), {}))).toBe("cc");
  });

  it("keeps every node and says so once when no zone is given and SWITCHYARD_ZONE is not set", () => {
    delete process.env[ZONE_ENV];
    const warn = vi.fn();
    const filter = preferZone({ logger: { warn } });
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]![0]).toMatch(/^preferZone: no zone given and SWITCHYARD_ZONE is not set/);
    const nodes = zones("aabb");
    expect(filter(nodes, {})).toBe(nodes);
    filter(nodes, {});
    expect(warn).toHaveBeenCalledTimes(1);
  });

  it("has a cache key that names its settings, so two filters with the same key behave the same", () => {
    const a: NodeFilter = preferZone({ zone: "a", minNodes: 3, minShare: 0.5, logger: quiet });
    expect(a.cacheKey).toBe("prefer(zone=a,minNodes=3,minShare=0.5)");
    expect(preferZone({ zone: "a" }).cacheKey).not.toBe(a.cacheKey);
  });

  it.each([
    [{ zone: 3 }, /zone must be a string, got 3/],
    [{ zone: "a", minNodes: 0 }, /minNodes must be an integer ≥ 1/],
    [{ zone: "a", minNodes: 1.5 }, /minNodes must be an integer ≥ 1/],
    [{ zone: "a", minShare: -0.1 }, /minShare must be a finite number ≥ 0/],
    [{ zone: "a", minShare: Number.NaN }, /minShare must be a finite number ≥ 0/],
    [{ zone: "a", logger: {} }, /logger must be an object with a warn/],
  ])("refuses %o", (options, message) => {
    expect(() => preferZone(options as never)).toThrow(InvalidArgumentError);
    expect(() => preferZone(options as never)).toThrow(message);
  });
});
