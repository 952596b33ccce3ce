import type { WeightedNode } from "@switchyard/api";
import type { Score } from "./score.js";

// Smooth weighted round robin over one fixed list of nodes whose weights never change, in
// O(groups + log n) per pick instead of O(n), giving exactly the picks of the nginx loop.
//
// Every pick adds each node's weight to its score, picks the highest (the first in list order
// on a tie) and subtracts the total from it. Rather than adding to every score, the plan counts
// the picks (`step`) and stores base = score - step × weight, which changes only for the winner.
// Nodes of equal weight gain equally, so within such a group the order of scores changes only
// when the group's leader wins: each group is a binary heap on (base desc, index asc), and a
// pick compares the leaders of the groups. With the default weight on every node that is one
// group and a pick is a heap step.

const REBASE_LIMIT = 2 ** 48;

class Group {
  readonly weight: number;
  readonly heap: Int32Array;

  constructor(weight: number, members: readonly number[], base: Float64Array) {
    this.weight = weight;
    this.heap = Int32Array.from(members);
    for (let i = (this.heap.length >> 1) - 1; i >= 0; i--) this.siftDown(i, base);
  }

  /** Restores heap order after the base of the member at `position` went down. */
  siftDown(position: number, base: Float64Array): void {
    const heap = this.heap;
    const size = heap.length;
    const item = heap[position]!;
    const value = base[item]!;
    let i = position;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= size) break;
      const right = child + 1;
      if (right < size && before(heap[right]!, heap[child]!, base)) child = right;
      const other = heap[child]!;
      const otherValue = base[other]!;
      if (value > otherValue || (value === otherValue && item < other)) break;
      heap[i] = other;
      i = child;
    }
    heap[i] = item;
  }
}

function before(a: number, b: number, base: Float64Array): boolean {
  const va = base[a]!;
  const vb = base[b]!;
  return va > vb || (va === vb && a < b);
}

export class Plan {
  readonly nodes: readonly WeightedNode[];
  private readonly scores: Score[];
  private readonly weights: Float64Array;
  private readonly base: Float64Array;
  private readonly groups: Group[];
  private readonly total: number;
  private readonly maxWeight: number;
  private step = 0;

  constructor(nodes: readonly WeightedNode[], scores: Score[], weights: Float64Array) {
    this.nodes = nodes;
    this.scores = scores;
    this.weights = weights;
    this.base = Float64Array.from(scores, (s) => s.current);
    let total = 0;
    let maxWeight = 0;
    const byWeight = new Map<number, number[]>();
    for (let i = 0; i < weights.length; i++) {
      const w = weights[i]!;
      total += w;
      if (w > maxWeight) maxWeight = w;
      const members = byWeight.get(w);
      if (members === undefined) byWeight.set(w, [i]);
      else members.push(i);
    }
    this.total = total;
    this.maxWeight = maxWeight;
    this.groups = Array.from(byWeight, ([w, members]) => new Group(w, members, this.base));
  }

  /** The index of the next node in smooth-wrr order. */
  next(): number {
    const step = ++this.step;
    const base = this.base;
    const groups = this.groups;
    let best = -1;
    let bestScore = 0;
    let bestGroup = groups[0]!;
    for (let g = 0; g < groups.length; g++) {
      const group = groups[g]!;
      const leader = group.heap[0]!;
      const score = base[leader]! + step * group.weight;
      if (best < 0 || score > bestScore || (score === bestScore && leader < best)) {
        best = leader;
        bestScore = score;
        bestGroup = group;
      }
    }
    base[best] = base[best]! - this.total;
    bestGroup.siftDown(0, base);
    if (step * this.maxWeight > REBASE_LIMIT) this.rebase();
    return best;
  }

  /** Writes the scores back to the shared score objects (before another plan takes over). */
  flush(): void {
    const { base, weights, scores, step } = this;
    for (let i = 0; i < scores.length; i++) scores[i]!.current = base[i]! + step * weights[i]!;
  }

  // Keeps the numbers small and exact; order within each group is unchanged by adding step × weight.
  private rebase(): void {
    const { base, weights, step } = this;
    for (let i = 0; i < base.length; i++) base[i] = base[i]! + step * weights[i]!;
    this.step = 0;
  }
}
