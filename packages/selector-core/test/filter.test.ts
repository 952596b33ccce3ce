import { FilterError, type Node, type NodeFilter, type WeightedNode } from "@switchyard/api";
import { describe, expect, it } from "vitest";
import { CandidateCache } from "../src/candidates.js";
import { direct } from "../src/direct.js";
import { createNode } from "../src/node.js";

const MAX_MARK = 0xffffffff;

function cacheOf(count: number): CandidateCache {
  const builder = direct();
  const weighted: WeightedNode[] = Array.from({ length: count }, (_, i) =>
    builder.build(createNode({ scheme: "http", address: `10.0.0.${i}:80` })),
  );
  const info = { stable: true, staticWeights: true };
  return new CandidateCache(Object.freeze(weighted), info, { ...info, stable: false });
}

describe("the candidate cache's output check", () => {
  it("accepts a correct filter and refuses a wrong one across the wrap of its mark counter", () => {
    const dropFirst: NodeFilter = (input) => input.slice(1);
    const stranger = createNode({ scheme: "http", address: "10.9.9.9:80" });
    const addStranger: NodeFilter = (input) => [...input, stranger];
    const restore =
      (cache: CandidateCache): NodeFilter =>
      () =>
        cache.base as readonly Node[];
    // Every start near the limit, so the wrap falls between any two marks of one check.
    for (let start = MAX_MARK - 6; start <= MAX_MARK; start++) {
      const cache = cacheOf(4);
      const input = cache.base.slice(1); // not the full list: membership in the input is checked
      cache.markCounter = start;
      for (let round = 0; round < 4; round++) {
        expect(cache.narrow(dropFirst, input, {}), `start ${start}`).toEqual(input.slice(1));
        expect(() => cache.narrow(addStranger, input, {})).toThrow(FilterError);
        expect(() => cache.narrow(restore(cache), input, {})).toThrow(/not given/);
      }
    }
  });
});
