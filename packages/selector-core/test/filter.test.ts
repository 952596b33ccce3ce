import { FilterError, type Node, type NodeFilter, type WeightedNode } from "@switchyard/api";
import { describe, expect, it } from "vitest";
import { direct } from "../src/direct.js";
import { runFilter } from "../src/filter.js";
import { createNode } from "../src/node.js";
import { Snapshot } from "../src/snapshot.js";

const MAX_MARK = 0xffffffff;

function snapshotOf(count: number): Snapshot {
  const builder = direct();
  const weighted: WeightedNode[] = Array.from({ length: count }, (_, i) =>
    builder.build(createNode({ scheme: "http", address: `10.0.0.${i}:80` })),
  );
  return new Snapshot(Object.freeze(weighted));
}

describe("runFilter's output check", () => {
  it("accepts a correct filter and refuses a wrong one across the wrap of its mark counter", () => {
    const dropFirst: NodeFilter = (input) => input.slice(1);
    const stranger = createNode({ scheme: "http", address: "10.9.9.9:80" });
    const addStranger: NodeFilter = (input) => [...input, stranger];
    const restore =
      (snapshot: Snapshot): NodeFilter =>
      () =>
        snapshot.nodes as readonly Node[];
    // Every start near the limit, so the wrap falls between any two marks of one check.
    for (let start = MAX_MARK - 6; start <= MAX_MARK; start++) {
      const snapshot = snapshotOf(4);
      const input = snapshot.nodes.slice(1); // not the full list: membership in the input is checked
      snapshot.setMarkCounter(start);
      for (let round = 0; round < 4; round++) {
        expect(runFilter(dropFirst, input, {}, snapshot), `start ${start}`).toEqual(input.slice(1));
        expect(() => runFilter(addStranger, input, {}, snapshot)).toThrow(FilterError);
        expect(() => runFilter(restore(snapshot), input, {}, snapshot)).toThrow(/not given/);
      }
    }
  });
});
