import {
  InvalidArgumentError,
  NoAvailableNodeError,
  type Node,
  type NodeFilter,
  type SelectorBuilder,
} from "@switchyard/api";
import { describe, expect, it } from "vitest";
import { makeNode, makeNodes } from "./fixtures.js";

/** What {@link describeBalancerConformance} takes. */
export interface BalancerConformanceOptions {
  /** Shown in the test names. */
  readonly name: string;
  /** A fresh selector builder per test: your balancer paired with its node builder. */
  readonly selector: () => SelectorBuilder;
  /**
   * How the balancer spreads calls when every call succeeds at once: `"weighted"` (shares follow
   * the nodes' initial weights, like wrr), `"even"` (equal shares whatever the weights, like random or
   * p2c over idle nodes), or `"any"` (only check that every node gets some traffic).
   */
  readonly distribution: "weighted" | "even" | "any";
  /** Selects per distribution check (default 6000). */
  readonly picks?: number;
  /**
   * Whether the selector keeps endpoint health (default `true`: the default selector's health layer,
   * on unless built with `health: false`). Then the suite also checks that a node refusing
   * connections is ejected and never picked while others are healthy, and that a selector never
   * runs out of candidates when every node fails. Set `false` for a selector without health.
   */
  readonly health?: boolean;
}

/** What a transport reports for a refused connection. */
const REFUSED = Object.freeze({
  error: Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }),
  bytesSent: false,
});

interface HealthView {
  health?(): readonly { readonly address: string; readonly state: string }[];
}

/** The health state of `address` in `selector`, or `undefined` when the selector shows none. */
function stateOf(selector: HealthView, address: string): string | undefined {
  return selector.health?.().find((h) => h.address === address)?.state;
}

function shares(builder: SelectorBuilder, nodes: readonly Node[], picks: number): Map<string, number> {
  const selector = builder.build();
  selector.apply(nodes);
  const counts = new Map<string, number>(nodes.map((n) => [n.address, 0]));
  for (let i = 0; i < picks; i++) {
    const { node, done } = selector.select();
    counts.set(node.address, (counts.get(node.address) ?? 0) + 1);
    done({});
  }
  return counts;
}

/**
 * Registers a vitest suite that checks a selector builder (usually a balancer with its node
 * builder) keeps the Selector contract: typed errors on empty lists, raw-node identity, sane
 * distribution, done callbacks that are safe to call twice or late, apply churn, filters, and
 * bad applies that leave the previous list in place. Call it at the top level of a test file.
 */
export function describeBalancerConformance(options: BalancerConformanceOptions): void {
  const picks = options.picks ?? 6000;

  describe(`${options.name} keeps the Selector contract`, () => {
    it("throws NoAvailableNodeError when no node is known", () => {
      const selector = options.selector().build();
      expect(() => selector.select()).toThrow(NoAvailableNodeError);
      selector.apply([]);
      let error: unknown;
      try {
        selector.select();
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(NoAvailableNodeError);
      expect((error as NoAvailableNodeError).code).toBe("NO_AVAILABLE_NODE");
    });

    it("returns the very node object it was given", () => {
      const selector = options.selector().build();
      const nodes = makeNodes(3);
      selector.apply(nodes);
      for (let i = 0; i < 50; i++) {
        const { node, done } = selector.select();
        expect(nodes).toContain(node);
        done();
      }
    });

    it("always picks the only node", () => {
      const selector = options.selector().build();
      const only = makeNode({ address: "10.1.1.1:80" });
      selector.apply([only]);
      for (let i = 0; i < 100; i++) {
        const { node, done } = selector.select();
        expect(node).toBe(only);
        done({ error: new Error("boom") });
      }
    });

    it("gives every node traffic, in shares that fit the balancer", () => {
      const weights = [1, 1, 2, 4];
      const nodes = makeNodes(4, { weights });
      const counts = shares(options.selector(), nodes, picks);
      const total = weights.reduce((a, b) => a + b, 0);
      for (const [i, node] of nodes.entries()) {
        const share = counts.get(node.address)! / picks;
        expect(share, `share of ${node.address}`).toBeGreaterThan(0);
        if (options.distribution === "weighted") expect(share).toBeCloseTo(weights[i]! / total, 1);
        if (options.distribution === "even") expect(share).toBeCloseTo(0.25, 1);
      }
    });

    it("accepts done twice, without info, with an error, and after the node left", () => {
      const selector = options.selector().build();
      const nodes = makeNodes(3);
      selector.apply(nodes);
      const first = selector.select();
      const second = selector.select();
      first.done();
      first.done({ error: new Error("late") });
      selector.apply(nodes.filter((n) => n !== second.node));
      expect(() =>
        second.done({ error: Object.assign(new Error("gone"), { code: "ECONNRESET" }) }),
      ).not.toThrow();
      expect(() => second.done()).not.toThrow();
      expect(selector.select().node).not.toBe(second.node);
    });

    it("never picks a node that an apply removed", () => {
      const selector = options.selector().build();
      const pool = makeNodes(20);
      for (let round = 0; round < 200; round++) {
        const current = pool.filter((_, i) => (i * 7 + round) % 3 !== 0);
        selector.apply(current);
        const live = new Set(current);
        for (let i = 0; i < 5; i++) {
          const { node, done } = selector.select();
          expect(live.has(node)).toBe(true);
          done({});
        }
      }
    });

    it("routes nothing to a node the filters exclude", () => {
      const selector = options.selector().build();
      const nodes = makeNodes(6, { versions: ["1", "2", "1", "2", "1", "2"] });
      selector.apply(nodes);
      const onlyV2 = (list: readonly Node[]) => list.filter((n) => n.version === "2");
      for (let i = 0; i < 200; i++) {
        const { node, done } = selector.select({ filters: [onlyV2] });
        expect(node.version).toBe("2");
        done();
      }
      expect(() => selector.select({ filters: [() => []] })).toThrow(NoAvailableNodeError);
    });

    it("picks among its candidates when cached and per-call filter results alternate across applies", () => {
      // Guards state a balancer keys on candidate lists (CandidateInfo.stable): a stable list comes
      // back as the same array, a per-call list never does, and an apply makes new lists of the
      // same nodes. Each filter's result rotates with the others and must never leak into them.
      const selector = options.selector().build();
      const pool = makeNodes(8, { versions: ["1", "2", "1", "2", "1", "2", "1", "2"] });
      const v2 = Object.assign((list: readonly Node[]) => list.filter((n) => n.version === "2"), {
        cacheKey: "conformance-v2",
      });
      const firstTwo = (list: readonly Node[]) => list.slice(0, 2);
      for (let round = 0; round < 20; round++) {
        const current = pool.filter((_, i) => (i + round) % 4 !== 0);
        selector.apply(current);
        const cases: [NodeFilter[], readonly Node[]][] = [
          [[], current],
          [[v2], v2(current)],
          [[firstTwo], firstTwo(current)],
          [[v2, firstTwo], firstTwo(v2(current))],
        ];
        for (let i = 0; i < 4; i++) {
          for (const [filters, allowed] of cases) {
            const { node, done } = selector.select({ filters });
            expect(allowed).toContain(node);
            done({});
          }
        }
      }
    });

    if (options.health !== false) {
      it("never picks a node the health layer ejected while other nodes are healthy", () => {
        const selector = options.selector().build();
        const nodes = makeNodes(4);
        const bad = nodes[0]!;
        selector.apply(nodes);
        // Calls to the bad node are refused until it is ejected (the balancer must pick it first).
        for (let i = 0; i < 2000 && stateOf(selector, bad.address) !== "ejected"; i++) {
          const { node, done } = selector.select();
          done(node === bad ? REFUSED : {});
        }
        expect(stateOf(selector, bad.address), "the node refusing connections is ejected").toBe("ejected");
        // Well within the first ejection (a second): nothing goes to it, the others share the calls.
        const seen = new Set<Node>();
        for (let i = 0; i < 300; i++) {
          const { node, done } = selector.select();
          expect(node).not.toBe(bad);
          seen.add(node);
          done({});
        }
        expect(seen.size).toBe(3);
      });

      it("never runs out of candidates: when every node fails, every node stays selectable", () => {
        const selector = options.selector().build();
        const nodes = makeNodes(2);
        selector.apply(nodes);
        for (let i = 0; i < 200; i++) {
          const { done } = selector.select();
          done(REFUSED);
        }
        const seen = new Set<Node>();
        for (let i = 0; i < 200; i++) {
          const { node, done } = selector.select();
          seen.add(node);
          done(REFUSED);
        }
        expect(seen.size, "both nodes still get calls when no node is healthy").toBe(2);
        // A success ends an ejection at once: the fleet is served as soon as it answers.
        for (let i = 0; i < 20; i++) selector.select().done({});
        expect(nodes.map((n) => stateOf(selector, n.address))).not.toContain("ejected");
        const only = makeNode({ address: "10.2.2.2:80" });
        selector.apply([only]);
        for (let i = 0; i < 10; i++) selector.select().done(REFUSED);
        expect(selector.select().node).toBe(only);
      });
    }

    it("keeps the previous list when an apply is refused", () => {
      const selector = options.selector().build();
      const good = makeNodes(2);
      selector.apply(good);
      const duplicate = [makeNode({ address: "10.9.9.9:80" }), makeNode({ address: "10.9.9.9:80" })];
      expect(() => selector.apply(duplicate)).toThrow(InvalidArgumentError);
      for (let i = 0; i < 20; i++) expect(good).toContain(selector.select().node);
    });
  });
}
