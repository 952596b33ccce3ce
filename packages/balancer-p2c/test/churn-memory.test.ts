import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { createNode } from "@switchyard/selector-core";
import { createFakeClock } from "@switchyard/testkit";
import { expect, it } from "vitest";
import { p2c } from "../src/p2c.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

it("does not grow the heap over 10,000 applies of a churning 1,000-node list", () => {
  const clock = createFakeClock();
  const pool = Array.from({ length: 2000 }, (_, i) =>
    createNode({ scheme: "h", address: `10.${i >> 8}.2.${i & 255}:1` }),
  );
  const selector = p2c({ clock }).build();
  const round = (r: number) => {
    const start = (r * 37) % 1000;
    selector.apply(pool.slice(start, start + 1000));
    const { done } = selector.select();
    clock.advance(1);
    done();
  };
  for (let r = 0; r < 1000; r++) round(r); // warm up: every address has been seen
  const before = heapAfterGc();
  for (let r = 1000; r < 10_000; r++) round(r);
  const growth = heapAfterGc() - before;
  expect(growth).toBeLessThan(2 * 1024 * 1024);
});
