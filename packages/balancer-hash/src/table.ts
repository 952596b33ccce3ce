import type { WeightedNode } from "@switchyard/api";
import type { Ring } from "./ring.js";
import type { Slots } from "./slots.js";

/**
 * The ring of one candidate list and what a pick reads of it. Three kinds share this shape:
 * - the full list's ring, or a ring of its own (`members` undefined: every point is a candidate);
 * - a view of a larger ring (`members[slot] === mark` for the candidates): a list that holds most
 *   of the full list's points (a health or version filter that keeps most nodes) walks the full
 *   ring past the few points of other nodes instead of copying it;
 * - the scratch view of a list made for one pick, marked afresh for each.
 * A key's node is the first candidate point at or after the key's position: the same node the
 * list's own ring would give, since every node's points are the same on every ring.
 */
export class Table {
  ring: Ring;
  members: Uint32Array | undefined;
  mark = 0;
  /** The candidate node of each member slot (sparse). */
  nodes: (WeightedNode | undefined)[];
  /** The member slots, for dropping the table's bit. */
  memberSlots: number[];
  /** The sum of the members' weights (bounded loads compare each node with its share of it). */
  totalWeight = 0;
  /** Every member weighs 1 (a list whose nodes all have weight 0), not its slot's weight. */
  equal = false;
  /** Whose total of calls in flight `slots.totals` keeps, or -1 (then `fixedTotal` holds it). */
  bit = -1;
  fixedTotal = 0;

  constructor(ring: Ring, members: Uint32Array | undefined) {
    this.ring = ring;
    this.members = members;
    this.nodes = [];
    this.memberSlots = [];
  }

  /** The index of the first candidate point at or after position `h`. */
  home(h: number): number {
    const ring = this.ring;
    let p = ring.at(h);
    const members = this.members;
    if (members === undefined) return p;
    const owners = ring.owners;
    const mark = this.mark;
    const n = owners.length;
    while (members[owners[p]!] !== mark) p = p + 1 === n ? 0 : p + 1;
    return p;
  }

  /**
   * The slot of the key at position `h` under bounded loads: the first candidate at or after `h`
   * whose calls in flight are below `factor` × (calls in flight over the candidates + 1) × its share
   * of the candidates' weight, i.e. whose count stays within ⌈that⌉ once this call is added.
   * Since `factor` ≥ 1 the shares add up to more than the calls, so some candidate always has room.
   */
  bounded(h: number, slots: Slots, factor: number): number {
    let p = this.home(h);
    const owners = this.ring.owners;
    const n = owners.length;
    const members = this.members;
    const mark = this.mark;
    const inflight = slots.inflight;
    const weight = slots.weight;
    const total = this.bit >= 0 ? slots.totals[this.bit]! : this.fixedTotal;
    // inflight < factor × (total + 1) × weight / totalWeight, multiplied out: with integer weights
    // the two sides are exact, so a node exactly at its bound is never let past it by a rounding.
    const scaled = factor * (total + 1);
    const totalWeight = this.totalWeight;
    const equal = this.equal;
    for (let steps = 0; steps < n; steps++) {
      const slot = owners[p]!;
      if (
        (members === undefined || members[slot] === mark) &&
        inflight[slot]! * totalWeight < scaled * (equal ? 1 : weight[slot]!)
      ) {
        return slot;
      }
      p = p + 1 === n ? 0 : p + 1;
    }
    // Unreachable with factor ≥ 1 (kept for rounding at the edge): the key's own node.
    return owners[this.home(h)]!;
  }

  /**
   * A pick without a key: two random positions give two candidates, each drawn in proportion to its
   * weight, and the one with fewer calls in flight for its weight wins (the first on a tie).
   */
  lighter(r1: number, r2: number, slots: Slots): number {
    const owners = this.ring.owners;
    const a = owners[this.home((r1 * 4294967296) >>> 0)]!;
    const b = owners[this.home((r2 * 4294967296) >>> 0)]!;
    if (a === b) return a;
    const inflight = slots.inflight;
    const wa = this.equal ? 1 : slots.weight[a]!;
    const wb = this.equal ? 1 : slots.weight[b]!;
    return inflight[b]! * wa < inflight[a]! * wb ? b : a;
  }
}
