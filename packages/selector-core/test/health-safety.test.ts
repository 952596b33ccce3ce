import type { Node } from "@switchyard/api";
import { createFakeClock } from "@switchyard/testkit";
import { describe, expect, it } from "vitest";
import { direct } from "../src/direct.js";
import { failing, firstSelector, fleet, harness, ok, refused } from "./health-fixture.js";

const states = (h: ReturnType<typeof harness>) => h.selector.health().map((n) => n.state);

describe("health: the ejection cap and panic", () => {
  it("ejects at most half the nodes; a node failing beyond that stays a candidate, marked failing", () => {
    const h = harness(10);
    h.calls(30 * 3, failing([0, 1, 2, 3, 4, 5], refused));
    expect(states(h).filter((s) => s === "ejected")).toHaveLength(5);
    const kept = h.selector.health().filter((n) => n.failing);
    expect(kept).toHaveLength(1);
    expect(h.candidates()).toContain(kept[0]!.address);
    expect(h.lines.join("\n")).toMatch(
      /is failing \(3 connection failures in a row \(ECONNREFUSED\)\) but stays a candidate: 5 of 10 nodes are out already/,
    );
  });

  it("ejects the node kept in as soon as another comes back, unless it answered since", () => {
    const h = harness(4); // at most 2 out
    h.calls(4 * 3, failing([0, 1, 2], refused));
    expect(states(h)).toEqual(["ejected", "ejected", "healthy", "healthy"]);
    expect(h.selector.health()[2]!.failing).toBe(true);
    h.clock.advance(1000);
    // Node 0's probe succeeds, node 1's fails: room for node 2, which goes out at once.
    for (let i = 0; i < 10 && states(h)[0] !== "probation"; i++) h.call(failing([1, 2], refused));
    expect(states(h)[0]).toBe("probation");
    expect(states(h)[2]).toBe("ejected");
    expect(h.selector.health()[2]!.reason).toBe("connection-failures");
  });

  it("a node kept in while failing stops failing at its first success", () => {
    const h = harness(4);
    h.calls(4 * 3, failing([0, 1, 2], refused));
    expect(h.selector.health()[2]!.failing).toBe(true);
    h.calls(4);
    expect(h.selector.health()[2]!.failing).toBe(false);
  });

  it("always lets one node go, even from a list of one, and then keeps it a candidate (never zero)", () => {
    const h = harness(1);
    h.calls(3, () => refused);
    expect(states(h)).toEqual(["ejected"]);
    expect(h.candidates()).toEqual([h.nodes[0]!.address]);
    // A success ends the ejection at once when no node is healthy.
    h.call(() => ok);
    expect(states(h)).toEqual(["probation"]);
  });

  it("uses every node when none is healthy, and a success ends an ejection at once (the fleet is back)", () => {
    const h = harness(6);
    h.calls(6 * 4, () => refused);
    expect(states(h).filter((s) => s === "ejected")).toHaveLength(3);
    expect(h.candidates()).toHaveLength(6); // panic: all of them
    expect(h.lines.some((l) => /no node of "helloworld" is healthy \(6 failing or out\)/.test(l))).toBe(true);
    h.calls(6); // the fleet answers again
    expect(states(h).filter((s) => s === "ejected")).toHaveLength(0);
    expect(h.candidates()).toHaveLength(6);
  });

  it("leaves the panic once enough nodes answer, and probes the ones still out at once", () => {
    const h = harness(6, { baseEjectionMs: 10_000 });
    h.calls(6 * 4, () => refused);
    const out = states(h).flatMap((s, i) => (s === "ejected" ? [i] : []));
    expect(out).toHaveLength(3);
    // The nodes kept in while failing come back; the ejected ones still refuse.
    h.calls(6, failing(out, refused));
    expect(h.lines.some((l) => /3 of 6 nodes are healthy again/.test(l))).toBe(true);
    expect(h.candidates()).toHaveLength(3);
    // Each ejected node gets its probe now, not 10 s later.
    const probed = new Set<number>();
    for (let i = 0; i < 12; i++) probed.add(h.call(failing(out, refused)));
    expect([...probed].filter((i) => out.includes(i)).sort()).toEqual(out);
    expect(states(h).filter((s) => s === "ejected")).toHaveLength(3);
  });

  it("never leaves a call without candidates when its filters admit only ejected nodes", () => {
    const h = harness(4);
    h.calls(12, failing([0], refused));
    expect(h.state(0)).toBe("ejected");
    const onlyFirst = (list: readonly Node[]) => list.filter((n) => n.address === h.nodes[0]!.address);
    const { node, done } = h.selector.select({ filters: [onlyFirst] });
    expect(node).toBe(h.nodes[0]);
    done(ok);
  });

  it("keeps the ejected set on the candidate list: wrr-style plans see the same array back when the node returns", () => {
    const h = harness(4);
    const full = h.selector.nodes();
    h.calls(4);
    expect(h.seen[h.seen.length - 1]).toBe(full);
    h.calls(12, failing([0], refused));
    const without = h.seen[h.seen.length - 1]!;
    expect(without).not.toBe(full);
    expect(Object.isFrozen(without)).toBe(true);
    expect(without.map((n) => n.address)).toEqual(h.nodes.slice(1).map((n) => n.address));
    h.clock.advance(1000);
    for (let i = 0; i < 4 && h.state(0) === "ejected"; i++) h.call();
    expect(h.state(0)).toBe("probation");
  });
});

describe("health: reports and isolation", () => {
  it("reports through process.emitWarning when the logger throws, and goes on", async () => {
    const clock = createFakeClock();
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on("warning", onWarning);
    try {
      const logger = {
        warn() {
          throw new Error("logger down");
        },
      };
      const selector = firstSelector({ clock, nodeBuilder: direct({ clock }), logger });
      selector.apply(fleet(3));
      for (let i = 0; i < 3; i++) expect(() => selector.select().done(refused)).not.toThrow();
      await new Promise((resolve) => setImmediate(resolve));
      expect(selector.health()[0]!.state).toBe("ejected");
      const reported = /ejected for 1 s.*the logger threw while reporting this: logger down/;
      expect(warnings.some((w) => reported.test(w))).toBe(true);
    } finally {
      process.off("warning", onWarning);
    }
  });

  it("shows each node's health: ejected since and until, reason, ejections, success rate, run", () => {
    const h = harness(10, { consecutiveFailures: 0 });
    const counts = new Array(10).fill(0);
    h.calls(400, (i) => (i === 0 && counts[0]++ % 2 === 0 ? refused : ok));
    h.clock.advance(1000);
    const [first, second] = h.selector.health();
    expect(first).toEqual({
      address: "10.0.0.0:80",
      state: "ejected",
      ejectedSince: 1000,
      ejectedUntil: 2000,
      reason: "failure-percentage",
      ejections: 1,
      successRate: 0.5,
      consecutiveFailures: 0,
      failing: false,
    });
    expect(second).toMatchObject({
      state: "healthy",
      ejectedSince: undefined,
      reason: undefined,
      successRate: 1,
    });
    expect(Object.isFrozen(h.selector.health())).toBe(true);
  });
});
