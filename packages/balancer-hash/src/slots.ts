// Per-address state of one balancer, in typed arrays indexed by a slot number: the calls in flight
// (what bounded loads compares), the ring weight, and which tables hold the address (so that each
// table's total of calls in flight is kept as calls start and end, never summed per pick). A slot
// is given to an address when it first appears and freed when an update drops it; its generation
// then moves on, so a late done of a call picked before cannot touch the next address's count.

/** The most tables whose totals are kept (bits of a slot's mask). */
export const MAX_TABLE_BITS = 32;

export class Slots {
  /** The address of each slot (an empty string when free). */
  addresses: string[] = [];
  /** Calls picked and not yet done, per slot. */
  inflight = new Int32Array(16);
  /** Bumped when a slot is freed: done callbacks of earlier calls no longer count. */
  generation = new Uint32Array(16);
  /** The weight the slot's node has on the ring (0: no points). */
  weight = new Float64Array(16);
  /** Points the slot has on the ring of the full list (0: none, or not in the list). */
  points = new Int32Array(16);
  /** The tables (bits) the slot belongs to. */
  masks = new Uint32Array(16);
  /** Calls in flight over the members of each table bit. */
  readonly totals = new Float64Array(MAX_TABLE_BITS);
  private readonly index = new Map<string, number>();
  private readonly free: number[] = [];

  /** The slot of `address`, or -1. */
  slotOf(address: string): number {
    return this.index.get(address) ?? -1;
  }

  /** The slot of `address`, given one when it has none. */
  assign(address: string): number {
    const known = this.index.get(address);
    if (known !== undefined) return known;
    let slot = this.free.pop();
    if (slot === undefined) {
      slot = this.addresses.length;
      this.addresses.push("");
      if (slot >= this.inflight.length) this.grow();
    }
    this.addresses[slot] = address;
    this.index.set(address, slot);
    return slot;
  }

  /** Frees `slot`: its address is forgotten and calls still in flight on it no longer count. */
  release(slot: number): void {
    this.clearMask(slot);
    this.index.delete(this.addresses[slot]!);
    this.addresses[slot] = "";
    this.inflight[slot] = 0;
    this.weight[slot] = 0;
    this.points[slot] = 0;
    this.generation[slot] = (this.generation[slot]! + 1) >>> 0;
    this.free.push(slot);
  }

  /** Records a call picked on `slot`. */
  start(slot: number): void {
    this.inflight[slot]!++;
    for (let m = this.masks[slot]!; m !== 0; m &= m - 1) this.totals[31 - Math.clz32(m & -m)]!++;
  }

  /** Records the end of a call picked on `slot` in generation `generation`; a stale one is ignored. */
  finish(slot: number, generation: number): void {
    if (this.generation[slot] !== generation) return;
    this.inflight[slot]!--;
    for (let m = this.masks[slot]!; m !== 0; m &= m - 1) this.totals[31 - Math.clz32(m & -m)]!--;
  }

  /** Makes `slot` a member of table `bit`, whose total then counts its calls. */
  join(slot: number, bit: number): void {
    this.masks[slot]! |= 1 << bit;
    this.totals[bit]! += this.inflight[slot]!;
  }

  /** Ends table `bit`: no slot counts towards it any more. */
  dropBit(bit: number, members: readonly number[]): void {
    const clear = ~(1 << bit);
    for (const slot of members) this.masks[slot]! &= clear;
    this.totals[bit] = 0;
  }

  private clearMask(slot: number): void {
    const m = this.masks[slot]!;
    for (let rest = m; rest !== 0; rest &= rest - 1) {
      this.totals[31 - Math.clz32(rest & -rest)]! -= this.inflight[slot]!;
    }
    this.masks[slot] = 0;
  }

  private grow(): void {
    const size = this.inflight.length * 2;
    this.inflight = copy(new Int32Array(size), this.inflight);
    this.generation = copy(new Uint32Array(size), this.generation);
    this.weight = copy(new Float64Array(size), this.weight);
    this.points = copy(new Int32Array(size), this.points);
    this.masks = copy(new Uint32Array(size), this.masks);
  }
}

function copy<T extends Int32Array | Uint32Array | Float64Array>(to: T, from: T): T {
  to.set(from as never);
  return to;
}
