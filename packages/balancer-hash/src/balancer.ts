import type { Balancer, CandidateInfo, DoneFunc, Picked, SelectContext, WeightedNode } from "@switchyard/api";
import type { SafeRandom } from "@switchyard/selector-core";
import { hashKey } from "./key-hash.js";
import type { KeyReader } from "./key-reader.js";
import { buildMaster, pointCount, pointsPerNode, ringWeight } from "./master.js";
import { type HashOptions, hashSettings } from "./options.js";
import { buildRing, filterRing, Ring, type RingEntry } from "./ring.js";
import { Slots } from "./slots.js";
import { Table } from "./table.js";

/** The most candidate lists besides the full list a balancer keeps a table for (cached filter results). */
export const MAX_TABLES = 8;
const MASTER_BIT = 0;
const NO_CONTEXT: SelectContext = {};

/**
 * Consistent hashing on a ring, with bounded loads. A call whose `key` is a string goes to the node
 * of the first ring point at or after the key's position, unless that node has more than its share
 * of the calls in flight (⌈loadFactor × average⌉, by weight), in which case the key walks on along
 * the ring. A call without a key goes to the less loaded of two nodes drawn by weight. The ring of
 * the full list is built at `update` (an apply); a stable candidate list (a cached filter result, the
 * list without ejected nodes) gets a table of its own, a list made for one pick walks the full ring
 * past non-candidates. Keys of a node that leaves the candidates move to the next nodes on the ring
 * and come back with it; no other key moves.
 */
export class HashBalancer implements Balancer {
  private readonly keys: KeyReader;
  private readonly factor: number;
  private readonly points: number;
  private readonly random: SafeRandom;
  private readonly slots = new Slots();
  private master: Table | undefined = undefined;
  private masterList: readonly WeightedNode[] | undefined = undefined;
  private readonly tables = new Map<readonly WeightedNode[], Table>();
  private freeBits: number[] = bits();
  private lastList: readonly WeightedNode[] | undefined = undefined;
  private lastTable: Table | undefined = undefined;
  private readonly scratch = new Table(new Ring(new Uint32Array(0), new Uint32Array(0)), new Uint32Array(0));
  private stamp = 0;

  /** @throws InvalidArgumentError on bad options (see `hash`). */
  constructor(options: HashOptions) {
    const settings = hashSettings(options);
    this.keys = settings.keys;
    this.factor = settings.loadFactor;
    this.points = settings.points;
    this.random = settings.random;
  }

  pick(nodes: readonly WeightedNode[], context?: SelectContext, info?: CandidateInfo): Picked {
    let table: Table;
    if (info?.stable === true) {
      table = nodes === this.lastList ? this.lastTable! : this.stableTable(nodes);
    } else {
      table = this.scratchTable(nodes);
    }
    const slots = this.slots;
    const key = this.keys.read(context ?? NO_CONTEXT);
    let slot: number;
    if (key === undefined) slot = table.lighter(this.random.next(), this.random.next(), slots);
    else if (this.factor < Number.POSITIVE_INFINITY) slot = table.bounded(hashKey(key), slots, this.factor);
    else slot = table.ring.owners[table.home(hashKey(key))]!;
    const node = table.nodes[slot]!;
    const inner = node.pick();
    slots.start(slot);
    return { node, done: once(slots, slot, slots.generation[slot]!, inner) };
  }

  update(nodes: readonly WeightedNode[]): void {
    const slots = this.slots;
    for (const table of this.tables.values()) slots.dropBit(table.bit, table.memberSlots);
    this.tables.clear();
    this.freeBits = bits();
    this.lastList = undefined;
    this.lastTable = undefined;
    this.scratch.nodes = [];
    const old = this.master;
    if (old !== undefined) slots.dropBit(MASTER_BIT, old.memberSlots);
    const master = buildMaster(nodes, slots, old, this.points);
    this.master = master;
    this.masterList = master === undefined ? undefined : nodes;
    if (master !== undefined) this.enter(master, MASTER_BIT);
  }

  private stableTable(list: readonly WeightedNode[]): Table {
    let table = list === this.masterList ? this.master : this.tables.get(list);
    if (table === undefined) {
      if (this.tables.size >= MAX_TABLES) {
        const [oldest, evicted] = this.tables.entries().next().value!;
        this.slots.dropBit(evicted.bit, evicted.memberSlots);
        this.freeBits.push(evicted.bit);
        this.tables.delete(oldest);
      }
      table = this.view(list) ?? this.ownRing(list);
      this.enter(table, this.freeBits.pop()!);
      this.tables.set(list, table);
    }
    this.lastList = list;
    this.lastTable = table;
    return table;
  }

  /** Gives `table` a bit: its total of calls in flight is kept from now on. */
  private enter(table: Table, bit: number): void {
    table.bit = bit;
    for (const slot of table.memberSlots) this.slots.join(slot, bit);
  }

  /**
   * The table of a stable list whose nodes are all on the full list's ring, with at least one point:
   * a view of that ring when the list holds a quarter of its points or more (a walk past other
   * nodes' points is then short), else a ring of the list's own points. Undefined otherwise.
   */
  private view(list: readonly WeightedNode[]): Table | undefined {
    const master = this.master;
    if (master === undefined) return undefined;
    const slots = this.slots;
    const table = new Table(master.ring, new Uint32Array(slots.addresses.length));
    table.mark = 1;
    if (!this.mark(list, table)) return undefined;
    let points = 0;
    for (const slot of table.memberSlots) points += slots.points[slot]!;
    if (points === 0) return undefined;
    if (points * 4 < master.ring.hashes.length) {
      table.ring = filterRing(master.ring, table.members!, 1, points);
      table.members = undefined;
    }
    return table;
  }

  /** Marks the nodes of `list` in `table` (members, nodes, weight); false when one is not on the full ring. */
  private mark(list: readonly WeightedNode[], table: Table): boolean {
    const master = this.master!;
    const slots = this.slots;
    const members = table.members!;
    const mark = table.mark;
    let weight = 0;
    let total = 0;
    for (let i = 0; i < list.length; i++) {
      const node = list[i]!;
      const slot = slots.slotOf(node.address);
      if (slot < 0 || master.nodes[slot] === undefined) return false;
      if (members[slot] === mark) continue;
      members[slot] = mark;
      table.nodes[slot] = node;
      table.memberSlots.push(slot);
      weight += slots.weight[slot]!;
      total += slots.inflight[slot]!;
    }
    table.totalWeight = weight;
    table.fixedTotal = total;
    return true;
  }

  /** A list made for one pick: the scratch view of the full ring, marked afresh. */
  private scratchTable(list: readonly WeightedNode[]): Table {
    const master = this.master;
    if (master === undefined) return this.oneOff(list);
    const table = this.scratch;
    const capacity = this.slots.addresses.length;
    if (table.members!.length < capacity) table.members = new Uint32Array(capacity * 2);
    if (this.stamp === 0xffffffff) {
      table.members!.fill(0);
      this.stamp = 0;
    }
    table.mark = ++this.stamp;
    table.ring = master.ring;
    table.memberSlots.length = 0;
    if (!this.mark(list, table)) return this.oneOff(list);
    if (table.totalWeight === 0) return this.oneOff(list);
    return table;
  }

  /** A list made for one pick with nodes the full ring lacks, or no weight: a ring of its own. */
  private oneOff(list: readonly WeightedNode[]): Table {
    const table = this.ownRing(list);
    let total = 0;
    for (const slot of table.memberSlots) total += this.slots.inflight[slot]!;
    table.fixedTotal = total;
    return table;
  }

  /**
   * A ring of `list`'s own, for a list that is not (wholly) on the full list's ring (a selector
   * that never called `update`) or whose nodes there have no weight (then all weigh the same).
   */
  private ownRing(list: readonly WeightedNode[]): Table {
    const slots = this.slots;
    const master = this.master;
    const table = new Table(new Ring(new Uint32Array(0), new Uint32Array(0)), undefined);
    const weights = list.map(ringWeight);
    let max = 0;
    for (const w of weights) if (w > max) max = w;
    table.equal = max === 0;
    const perNode = pointsPerNode(this.points, list.length);
    const entries: RingEntry[] = [];
    for (let i = 0; i < list.length; i++) {
      const node = list[i]!;
      const slot = slots.assign(node.address);
      if (table.nodes[slot] !== undefined) continue;
      const w = table.equal ? 1 : weights[i]!;
      if (master?.nodes[slot] === undefined) slots.weight[slot] = w;
      const count = pointCount(w, table.equal ? 1 : max, perNode);
      if (count > 0) entries.push({ slot, address: node.address, count });
      table.nodes[slot] = node;
      table.memberSlots.push(slot);
      table.totalWeight += count > 0 ? w : 0;
    }
    table.ring = buildRing(entries);
    return table;
  }
}

/** The free table bits: 1 … MAX_TABLES (the full list has bit 0). */
function bits(): number[] {
  return Array.from({ length: MAX_TABLES }, (_, i) => MAX_TABLES - i);
}

/** The done callback of one pick: ends the call's count once, then reports to the node's own done. */
function once(slots: Slots, slot: number, generation: number, inner: DoneFunc): DoneFunc {
  let open = true;
  return (info) => {
    if (!open) return;
    open = false;
    slots.finish(slot, generation);
    inner(info);
  };
}
