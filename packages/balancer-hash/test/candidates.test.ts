// The candidate contract a health layer uses: the selector applies the full list (`update`), and
// an ejected node simply leaves the stable candidate list it hands to `pick`. A small selector here
// does exactly that, so the balancer is checked against the contract, whoever implements it.

import type { CandidateInfo, DoneFunc, Node, WeightedNode } from "@switchyard/api";
import { direct } from "@switchyard/selector-core";
import { describe, expect, it } from "vitest";
import { HashBalancer } from "../src/balancer.js";
import { byAttribute, fleet, keyed, keys } from "./helpers.js";

const STABLE: CandidateInfo = Object.freeze({ stable: true, staticWeights: true });

/** Applies a list, ejects and returns nodes, and picks over the candidates left, as a health layer would. */
class EjectingSelector {
  readonly balancer: HashBalancer;
  private all: readonly WeightedNode[] = [];
  private candidates: readonly WeightedNode[] = [];
  private readonly ejected = new Set<string>();
  private readonly builder = direct();

  constructor(loadFactor?: number) {
    this.balancer = new HashBalancer({
      key: byAttribute,
      ...(loadFactor === undefined ? {} : { loadFactor }),
    });
  }

  apply(nodes: readonly Node[]): void {
    this.all = Object.freeze(nodes.map((node) => this.builder.build(node)));
    this.balancer.update(this.all);
    this.refresh();
  }

  eject(address: string): void {
    this.ejected.add(address);
    this.refresh();
  }

  restore(address: string): void {
    this.ejected.delete(address);
    this.refresh();
  }

  select(key: string): { address: string; done: DoneFunc } {
    const { node, done } = this.balancer.pick(this.candidates, keyed(key), STABLE);
    return { address: node.address, done };
  }

  route(list: readonly string[]): Map<string, string> {
    const out = new Map<string, string>();
    for (const key of list) {
      const { address, done } = this.select(key);
      done();
      out.set(key, address);
    }
    return out;
  }

  private refresh(): void {
    // A new frozen array whenever the candidates change, as the contract says.
    this.candidates = Object.freeze(this.all.filter((n) => !this.ejected.has(n.address)));
  }
}

describe("hash: candidates that change (ejected nodes)", () => {
  it("moves an ejected node's keys to other nodes and brings them back when it returns; no other key moves", () => {
    const selector = new EjectingSelector();
    const nodes = fleet(8);
    selector.apply(nodes);
    const list = keys(4000);
    const before = selector.route(list);
    const victim = nodes[2]!.address;
    selector.eject(victim);
    const during = selector.route(list);
    let moved = 0;
    for (const key of list) {
      if (before.get(key) === victim) {
        moved++;
        expect(during.get(key)).not.toBe(victim);
      } else {
        expect(during.get(key)).toBe(before.get(key));
      }
    }
    expect(moved).toBeGreaterThan(0);
    selector.restore(victim);
    expect(selector.route(list)).toEqual(before);
  });

  it("ejects and restores several nodes in turn, more lists than it keeps tables for", () => {
    const selector = new EjectingSelector();
    const nodes = fleet(12);
    selector.apply(nodes);
    const list = keys(1000);
    const before = selector.route(list);
    for (let round = 0; round < 3; round++) {
      for (const node of nodes) {
        selector.eject(node.address);
        const during = selector.route(list);
        for (const key of list) {
          if (before.get(key) !== node.address) expect(during.get(key)).toBe(before.get(key));
        }
        selector.restore(node.address);
      }
    }
    expect(selector.route(list)).toEqual(before);
  });

  it("keeps the load bound over the candidates while a node with calls in flight is ejected and returns", () => {
    const selector = new EjectingSelector(1);
    const nodes = fleet(4);
    selector.apply(nodes);
    const held: { address: string; done: DoneFunc }[] = [];
    for (let i = 0; i < 8; i++) held.push(selector.select("hot"));
    const per = (calls: typeof held) => {
      const out = new Map<string, number>();
      for (const c of calls) out.set(c.address, (out.get(c.address) ?? 0) + 1);
      return out;
    };
    // c = 1: 8 calls of one key over 4 nodes, 2 each.
    expect([...per(held).values()]).toEqual([2, 2, 2, 2]);
    const victim = held[0]!.address;
    selector.eject(victim);
    // 3 candidates hold 6 calls: 3 more calls raise each to 3 (⌈1 × 9 / 3⌉).
    for (let i = 0; i < 3; i++) held.push(selector.select("hot"));
    const now = per(held);
    expect(now.get(victim)).toBe(2);
    for (const node of nodes) if (node.address !== victim) expect(now.get(node.address)).toBe(3);
    // The ejected node's calls end while it is out; back in, it is the least loaded and takes the key.
    for (const call of held.filter((c) => c.address === victim)) call.done();
    selector.restore(victim);
    expect(selector.select("hot").address).toBe(victim);
  });
});
