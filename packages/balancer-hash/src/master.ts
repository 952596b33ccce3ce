// The ring of the selector's full node list, rebuilt at every update (an apply): points for new
// addresses, none for addresses that left, the others untouched. When only a few nodes changed, the
// previous ring is merged with the new points in one linear pass instead of sorted again; when the
// addresses and weights are the same (a registry that re-sends its list), it is reused as is.

import type { WeightedNode } from "@switchyard/api";
import { buildRing, mergeRing, type Ring, type RingEntry } from "./ring.js";
import type { Slots } from "./slots.js";
import { Table } from "./table.js";

/** The most points a ring holds; past MAX_RING_POINTS / points nodes, each node gets fewer. */
export const MAX_RING_POINTS = 1 << 20;

/** A weight as the ring reads it: a positive finite number, else 0 (no points). */
export function ringWeight(node: WeightedNode): number {
  const w = node.weight();
  return w > 0 && w < Number.POSITIVE_INFINITY ? w : 0;
}

/** Points of the heaviest node for a list of `n` nodes: `points`, capped so the ring stays bounded. */
export function pointsPerNode(points: number, n: number): number {
  return Math.min(points, Math.max(1, Math.floor(MAX_RING_POINTS / Math.max(n, 1))));
}

/** Points of a node of weight `w` when the heaviest weighs `max` (a node with weight gets at least 1). */
export function pointCount(w: number, max: number, perNode: number): number {
  return w > 0 ? Math.max(1, Math.round((perNode * w) / max)) : 0;
}

/**
 * The table of the full list `nodes`, given the previous one (`old`, whose bit the caller has
 * already dropped). Frees the slots of addresses that left and gives slots to new ones. Returns
 * undefined for an empty list.
 */
export function buildMaster(
  nodes: readonly WeightedNode[],
  slots: Slots,
  old: Table | undefined,
  points: number,
): Table | undefined {
  const n = nodes.length;
  const weights = new Float64Array(n);
  let max = 0;
  for (let i = 0; i < n; i++) {
    const w = ringWeight(nodes[i]!);
    weights[i] = w;
    if (w > max) max = w;
  }
  // No node has weight: all share equally.
  if (max === 0) {
    weights.fill(1);
    max = 1;
  }
  const perNode = pointsPerNode(points, n);

  // Known addresses, and which of them keep exactly their points (-2: a duplicate address, skipped).
  const capacity = slots.addresses.length;
  const seen = new Uint8Array(capacity);
  const keep = new Uint8Array(capacity);
  const counts = new Int32Array(n);
  const known = new Int32Array(n);
  let keptPoints = 0;
  for (let i = 0; i < n; i++) {
    counts[i] = pointCount(weights[i]!, max, perNode);
    const slot = slots.slotOf(nodes[i]!.address);
    known[i] = slot;
    if (slot < 0) continue;
    if (seen[slot] === 1) {
      known[i] = -2;
      continue;
    }
    seen[slot] = 1;
    if (old !== undefined && slots.points[slot] === counts[i]) {
      keep[slot] = 1;
      keptPoints += counts[i]!;
    }
  }
  for (let slot = 0; slot < capacity; slot++) {
    if (seen[slot] === 0 && slots.addresses[slot] !== "") slots.release(slot);
  }

  const table = new Table(old?.ring as Ring, undefined);
  const all: RingEntry[] = [];
  const added: RingEntry[] = [];
  let addedPoints = 0;
  let totalWeight = 0;
  for (let i = 0; i < n; i++) {
    if (known[i] === -2) continue;
    const node = nodes[i]!;
    const slot = known[i]! >= 0 ? known[i]! : slots.assign(node.address);
    const count = counts[i]!;
    const entry = { slot, address: node.address, count };
    all.push(entry);
    if (count > 0 && (slot >= capacity || keep[slot] === 0)) {
      added.push(entry);
      addedPoints += count;
    }
    slots.points[slot] = count;
    slots.weight[slot] = count > 0 ? weights[i]! : 0;
    if (count > 0) totalWeight += weights[i]!;
    table.nodes[slot] = node;
    table.memberSlots.push(slot);
  }
  if (all.length === 0) return undefined;

  const oldSize = old?.ring.hashes.length ?? 0;
  const changed = addedPoints + oldSize - keptPoints;
  if (old !== undefined && changed === 0) table.ring = old.ring;
  else if (old !== undefined && changed * 2 < oldSize) {
    const addresses = slots.addresses;
    table.ring = mergeRing(old.ring, keep, added, (slot) => addresses[slot]!);
  } else table.ring = buildRing(all);
  table.totalWeight = totalWeight;
  return table;
}
