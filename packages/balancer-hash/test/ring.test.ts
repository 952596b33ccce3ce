import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { hashKey, pointOf } from "../src/key-hash.js";
import { buildRing, mergeRing, Ring, type RingEntry } from "../src/ring.js";

const entries = fc.uniqueArray(
  fc.record({ address: fc.string({ minLength: 1, maxLength: 12 }), count: fc.integer({ min: 0, max: 60 }) }),
  { selector: (e) => e.address, minLength: 1, maxLength: 40 },
);

const withSlots = (list: readonly { address: string; count: number }[]): RingEntry[] =>
  list.map((e, slot) => ({ slot, ...e }));

describe("ring", () => {
  it("holds every point of every entry, sorted, whatever the entries' order", () => {
    fc.assert(
      fc.property(entries, (list) => {
        const ring = buildRing(withSlots(list));
        const reversed = buildRing(withSlots(list).reverse());
        expect(ring.hashes).toEqual(reversed.hashes);
        expect(ring.owners).toEqual(reversed.owners);
        expect(ring.hashes.length).toBe(list.reduce((sum, e) => sum + e.count, 0));
        for (let i = 1; i < ring.hashes.length; i++)
          expect(ring.hashes[i]!).toBeGreaterThanOrEqual(ring.hashes[i - 1]!);
        for (const [slot, e] of list.entries()) {
          const seed = hashKey(e.address);
          for (let j = 0; j < e.count; j++) {
            const at = ring.hashes.indexOf(pointOf(seed, j));
            expect(at).toBeGreaterThanOrEqual(0);
          }
          expect(ring.owners.filter((o) => o === slot).length).toBe(e.count);
        }
      }),
      { numRuns: 60 },
    );
  });

  it("merges a change into the ring it would build from scratch", () => {
    fc.assert(
      fc.property(
        entries,
        entries,
        fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }),
        (list, extra, drop) => {
          const old = withSlots(list);
          const keep = new Uint8Array(old.length + extra.length);
          const kept = old.filter((e, i) => (keep[e.slot] = drop[i] ? 0 : 1) === 1);
          const known = new Set(list.map((e) => e.address));
          const added = extra
            .filter((e) => !known.has(e.address))
            .map((e, i) => ({ slot: old.length + i, ...e }));
          const addresses = [...old, ...added].map((e) => e.address);
          const merged = mergeRing(buildRing(old), keep, added, (slot) => addresses[slot]!);
          const built = buildRing([...kept, ...added]);
          expect(merged.hashes).toEqual(built.hashes);
          expect(merged.owners).toEqual(built.owners);
        },
      ),
      { numRuns: 100 },
    );
  });

  it("finds the first point at or after any position, as a plain scan does, for rings of any size", () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat({ max: 0xffffffff }), { minLength: 1, maxLength: 3000 }),
        fc.array(fc.nat({ max: 0xffffffff }), { minLength: 1, maxLength: 50 }),
        (positions, probes) => {
          const hashes = Uint32Array.from(positions).sort();
          const ring = new Ring(hashes, new Uint32Array(hashes.length));
          for (const h of [...probes, ...positions, 0, 0xffffffff]) {
            const first = hashes.findIndex((x) => x >= h);
            expect(ring.at(h)).toBe(Math.max(first, 0));
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it("finds the first point at or after a position, wrapping past the last", () => {
    const ring = new Ring(Uint32Array.from([10, 20, 20, 30]), Uint32Array.from([0, 1, 2, 3]));
    expect(ring.at(0)).toBe(0);
    expect(ring.at(10)).toBe(0);
    expect(ring.at(11)).toBe(1);
    expect(ring.at(20)).toBe(1);
    expect(ring.at(30)).toBe(3);
    expect(ring.at(31)).toBe(0);
    expect(ring.at(0xffffffff)).toBe(0);
  });

  it("gives equal positions to the lower address when it merges", () => {
    // Slot 0 is already on the ring at exactly the positions of the points of the entry that comes in.
    const seed = hashKey("m");
    const positions = [pointOf(seed, 0), pointOf(seed, 1)].sort((x, y) => x - y);
    const old = new Ring(Uint32Array.from(positions), Uint32Array.from([0, 0]));
    const coming = [{ slot: 1, address: "m", count: 2 }];
    for (const [oldAddress, first] of [
      ["z", 1],
      ["a", 0],
    ] as const) {
      const names = [oldAddress, "m"];
      const merged = mergeRing(old, Uint8Array.from([1, 0]), coming, (slot) => names[slot]!);
      expect([...merged.hashes]).toEqual([positions[0], positions[0], positions[1], positions[1]]);
      expect([...merged.owners]).toEqual([first, 1 - first, first, 1 - first]);
    }
  });

  it("places keys and points where every earlier version did, so clients of mixed versions agree", () => {
    // Values of the first release's FNV-1a + murmur3 finaliser; a change here moves every key.
    const pinned: [string, number, number, number][] = [
      ["", 2872998923, 3406902207, 3427923759],
      ["user-42", 2083131798, 3812679843, 2908727250],
      ["10.0.0.5:8000", 365585958, 752847259, 211869744],
    ];
    for (const [text, key, first, eighth] of pinned) {
      expect(hashKey(text)).toBe(key);
      expect(pointOf(key, 0)).toBe(first);
      expect(pointOf(key, 7)).toBe(eighth);
    }
  });
});
