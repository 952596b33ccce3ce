// The hash ring: every node's points (positions in 0 … 2³² − 1), sorted, each with the slot of the
// node it belongs to. A key belongs to the first point at or after its own position, wrapping
// around. Points depend on a node's address and point count alone, so the ring of a set of nodes is
// the same whatever the order of the list, in every client: equal positions (rare: two of a
// million points) go to the lower address.

import { hashKey, pointOf } from "./key-hash.js";

/** One node's share of a ring: its slot, its address (what its points derive from) and how many. */
export interface RingEntry {
  readonly slot: number;
  readonly address: string;
  readonly count: number;
}

/** A sorted ring of points; immutable once built. */
export class Ring {
  /** Positions, ascending. */
  readonly hashes: Uint32Array;
  /** The slot of the node each point belongs to. */
  readonly owners: Uint32Array;
  /**
   * For each value of a position's top `bits` bits, the index of the first point at or above it
   * (about two to four points per bucket), so a lookup is one read and a short scan instead of a
   * binary search, whose unpredictable branches cost several times more.
   */
  private readonly index: Uint32Array;
  private readonly shift: number;

  constructor(hashes: Uint32Array, owners: Uint32Array) {
    this.hashes = hashes;
    this.owners = owners;
    const n = hashes.length;
    const bits = n < 8 ? 1 : Math.min(24, 31 - Math.clz32(n) - 1);
    this.shift = 32 - bits;
    const index = new Uint32Array((1 << bits) + 1);
    let p = 0;
    for (let b = 0; b < index.length - 1; b++) {
      while (p < n && hashes[p]! >>> this.shift < b) p++;
      index[b] = p;
    }
    index[index.length - 1] = n;
    this.index = index;
  }

  /** The index of the first point at or after position `h`, wrapping to 0 past the last. */
  at(h: number): number {
    const hashes = this.hashes;
    const n = hashes.length;
    let p = this.index[h >>> this.shift]!;
    while (p < n && hashes[p]! < h) p++;
    return p === n ? 0 : p;
  }
}

function byAddress(a: RingEntry, b: RingEntry): number {
  return a.address < b.address ? -1 : a.address > b.address ? 1 : 0;
}

/**
 * The ring of `entries`: `count` points per entry. Points are generated in address order and sorted
 * by a stable radix sort, so equal positions keep address order. O(points + n log n).
 */
export function buildRing(entries: readonly RingEntry[]): Ring {
  const sorted = entries.slice().sort(byAddress);
  let total = 0;
  for (const entry of sorted) total += entry.count;
  const hashes = new Uint32Array(total);
  const owners = new Uint32Array(total);
  let k = 0;
  for (const entry of sorted) {
    const seed = hashKey(entry.address);
    for (let j = 0; j < entry.count; j++) {
      hashes[k] = pointOf(seed, j);
      owners[k++] = entry.slot;
    }
  }
  return radixSort(hashes, owners);
}

const DIGIT_BITS = 11;
const DIGITS = 1 << DIGIT_BITS;

/** Sorts points by position, stably: three passes of 11 bits. */
function radixSort(hashes: Uint32Array, owners: Uint32Array): Ring {
  const n = hashes.length;
  let fromHashes: Uint32Array = hashes;
  let fromOwners: Uint32Array = owners;
  let toHashes: Uint32Array = new Uint32Array(n);
  let toOwners: Uint32Array = new Uint32Array(n);
  const counts = new Uint32Array(DIGITS);
  for (let shift = 0; shift < 32; shift += DIGIT_BITS) {
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[(fromHashes[i]! >>> shift) & (DIGITS - 1)]!++;
    let sum = 0;
    for (let d = 0; d < DIGITS; d++) {
      const c = counts[d]!;
      counts[d] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const h = fromHashes[i]!;
      const at = counts[(h >>> shift) & (DIGITS - 1)]!++;
      toHashes[at] = h;
      toOwners[at] = fromOwners[i]!;
    }
    [fromHashes, toHashes] = [toHashes, fromHashes];
    [fromOwners, toOwners] = [toOwners, fromOwners];
  }
  return new Ring(fromHashes, fromOwners);
}

/**
 * The ring of `old` without the points of the slots whose `keep` is 0, with the points of `added`:
 * the same ring `buildRing` would make of the resulting entries, in O(points) (plus the sort of the
 * added points) instead of a full rebuild. `addressOf` gives the address of any slot in either.
 */
export function mergeRing(
  old: Ring,
  keep: Uint8Array,
  added: readonly RingEntry[],
  addressOf: (slot: number) => string,
): Ring {
  const fresh = buildRing(added);
  const oldHashes = old.hashes;
  const oldOwners = old.owners;
  let kept = 0;
  for (let i = 0; i < oldOwners.length; i++) kept += keep[oldOwners[i]!]!;
  const total = kept + fresh.hashes.length;
  const hashes = new Uint32Array(total);
  const owners = new Uint32Array(total);
  const freshHashes = fresh.hashes;
  const freshOwners = fresh.owners;
  let i = 0;
  let f = 0;
  for (let k = 0; k < total; k++) {
    while (i < oldOwners.length && keep[oldOwners[i]!] === 0) i++;
    let takeOld = f >= freshHashes.length;
    if (!takeOld && i < oldOwners.length) {
      const a = oldHashes[i]!;
      const b = freshHashes[f]!;
      takeOld = a < b || (a === b && addressOf(oldOwners[i]!) <= addressOf(freshOwners[f]!));
    }
    if (takeOld) {
      hashes[k] = oldHashes[i]!;
      owners[k] = oldOwners[i++]!;
    } else {
      hashes[k] = freshHashes[f]!;
      owners[k] = freshOwners[f++]!;
    }
  }
  return new Ring(hashes, owners);
}

/** The points of `ring` whose owner is marked `mark` in `members` (`count` of them): a ring of its own. */
export function filterRing(ring: Ring, members: Uint32Array, mark: number, count: number): Ring {
  const hashes = new Uint32Array(count);
  const owners = new Uint32Array(count);
  const fromHashes = ring.hashes;
  const fromOwners = ring.owners;
  let k = 0;
  for (let i = 0; i < fromOwners.length; i++) {
    const owner = fromOwners[i]!;
    if (members[owner] !== mark) continue;
    hashes[k] = fromHashes[i]!;
    owners[k++] = owner;
  }
  return new Ring(hashes, owners);
}
