import { InvalidArgumentError, type Node } from "@switchyard/api";
import { makeNodes } from "@switchyard/testkit";
import { describe, expect, it } from "vitest";
import { version } from "../src/version.js";

const nodes = makeNodes(6, { versions: ["1.0.0", "2.0.0", "1.0.0", "2.0.0", "2.0.0", ""] });

describe("version filter", () => {
  it("keeps only the nodes of the exact version, in order", () => {
    const kept = version("2.0.0")(nodes, {});
    expect(kept.map((n) => n.address)).toEqual([nodes[1]!.address, nodes[3]!.address, nodes[4]!.address]);
    expect(kept.every((n) => nodes.includes(n))).toBe(true);
  });

  it("routes nothing to a version it excludes, including prefixes and the empty version", () => {
    expect(version("2.0")(nodes, {})).toEqual([]);
    expect(version("")(nodes, {}).map((n) => n.version)).toEqual([""]);
  });

  it("returns its input unchanged when every node matches", () => {
    const all: readonly Node[] = makeNodes(3, { versions: ["3", "3", "3"] });
    expect(version("3")(all, {})).toBe(all);
  });

  it("declares a cache key, so selectors compute it once per node list", () => {
    expect(version("2.0.0").cacheKey).toBe("version=2.0.0");
  });

  it("rejects a version that is not a string", () => {
    expect(() => version(2 as never)).toThrow(InvalidArgumentError);
  });
});
