import { InvalidArgumentError } from "@switchyard/api";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { randomSubsetKey, subset } from "../src/subset.js";

const addresses = (n: number) => Array.from({ length: n }, (_, i) => `10.0.${i >> 8}.${i & 255}:8000`);
const id = (s: string) => s;

describe("subset", () => {
  it("returns the list itself when it is no larger than the size, or the size is 0", () => {
    const list = addresses(5);
    expect(subset(list, "k", 5, id)).toBe(list);
    expect(subset(list, "k", 0, id)).toBe(list);
  });

  it("rejects a negative or fractional size", () => {
    expect(() => subset(addresses(3), "k", -1, id)).toThrow(InvalidArgumentError);
    expect(() => subset(addresses(3), "k", 1.5, id)).toThrow(InvalidArgumentError);
  });

  it("has exactly the requested size, no duplicates, only members, in input order", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 200 }),
        fc.integer({ min: 1, max: 50 }),
        fc.string(),
        (n, k, key) => {
          const list = addresses(n);
          const chosen = subset(list, key, k, id);
          expect(chosen).toHaveLength(Math.min(n, k));
          expect(new Set(chosen).size).toBe(chosen.length);
          const positions = chosen.map((a) => list.indexOf(a));
          expect(positions.every((p) => p >= 0)).toBe(true);
          expect([...positions].sort((a, b) => a - b)).toEqual(positions);
        },
      ),
    );
  });

  it("is stable for a key, whatever the input order", () => {
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: 30, max: 120 }), (key, n) => {
        const list = addresses(n);
        const shuffled = [...list].reverse();
        expect(new Set(subset(list, key, 25, id))).toEqual(new Set(subset(shuffled, key, 25, id)));
      }),
    );
  });

  it("changes by at most one member when one node leaves", () => {
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: 0, max: 99 }), (key, leaving) => {
        const list = addresses(100);
        const before = new Set(subset(list, key, 25, id));
        const after = new Set(
          subset(
            list.filter((_, i) => i !== leaving),
            key,
            25,
            id,
          ),
        );
        const lost = [...before].filter((a) => !after.has(a));
        expect(lost.length).toBeLessThanOrEqual(1);
      }),
    );
  });

  it("spreads clients evenly: each of 100 nodes is in about 25% of 2,000 clients' subsets", () => {
    const list = addresses(100);
    const counts = new Map<string, number>(list.map((a) => [a, 0]));
    const clients = 2000;
    for (let c = 0; c < clients; c++) {
      for (const a of subset(list, `client-${c}`, 25, id)) counts.set(a, counts.get(a)! + 1);
    }
    const shares = [...counts.values()].map((v) => v / clients);
    expect(Math.min(...shares)).toBeGreaterThan(0.17);
    expect(Math.max(...shares)).toBeLessThan(0.33);
  });

  it("gives different clients different subsets", () => {
    const list = addresses(100);
    const a = subset(list, "client-a", 25, id).join();
    const b = subset(list, "client-b", 25, id).join();
    expect(a).not.toBe(b);
    expect(randomSubsetKey()).not.toBe(randomSubsetKey());
  });
});
