import type { Node, NodeFilter } from "@switchyard/api";
import { describe, expect, it } from "vitest";
import { failing, harness, ok, refused, unavailable } from "./health-fixture.js";

/** Ejects node 0 of `h` by three refusals (it is the first of every round of 4). */
function ejectFirst(h: ReturnType<typeof harness>): void {
  h.calls(h.nodes.length * 3, failing([0], refused));
  expect(h.state(0)).toBe("ejected");
}

/** Makes selects until one goes to node 0 (a probe), completing the others; returns how many. */
function untilProbe(h: ReturnType<typeof harness>, outcome = ok, limit = 100): number {
  for (let i = 1; i <= limit; i++) {
    const { node, done } = h.selector.select();
    if (node === h.nodes[0]) {
      done(outcome);
      return i;
    }
    done(ok);
  }
  throw new Error("no probe");
}

describe("health: ejection, probes and probation", () => {
  it("sends an ejected node nothing until its time ends, then one probe call; a success brings it back", () => {
    const h = harness(4);
    ejectFirst(h);
    const before = h.selector.health()[0]!;
    expect(before).toMatchObject({ ejectedSince: 0, ejectedUntil: 1000 });
    const picks = h.calls(40);
    expect(picks).not.toContain(0);
    h.clock.advance(1000);
    expect(untilProbe(h)).toBe(1); // the first select after the ejection time is the probe
    expect(h.state(0)).toBe("probation");
    expect(h.candidates()).toContain(h.nodes[0]!.address);
    expect(h.lines.join("\n")).toMatch(
      /10\.0\.0\.0:80 of "helloworld" is back after 1 s out: a probe call succeeded; on probation/,
    );
  });

  it("sends one probe at a time: no other call goes to the node while the probe is out", () => {
    const h = harness(4);
    ejectFirst(h);
    h.clock.advance(1000);
    const probe = h.selector.select();
    expect(probe.node).toBe(h.nodes[0]);
    expect(h.calls(40)).not.toContain(0);
    probe.done(ok);
    expect(h.state(0)).toBe("probation");
  });

  it("probes a node that stays down once per ejection time, without growing it", () => {
    const h = harness(4);
    ejectFirst(h);
    const outs: number[] = [];
    for (let round = 0; round < 4; round++) {
      const { ejectedUntil } = h.selector.health()[0]!;
      h.clock.advance(ejectedUntil! - h.clock.now());
      const start = h.clock.now();
      untilProbe(h, refused);
      outs.push(h.selector.health()[0]!.ejectedUntil! - start);
    }
    expect(outs).toEqual([1000, 1000, 1000, 1000]);
    expect(h.selector.health()[0]!.ejections).toBe(1); // one ejection, probes failing
  });

  it("doubles the time of each ejection of a node that keeps coming back and failing, up to the cap", () => {
    const h = harness(4, { baseEjectionMs: 1000, maxEjectionMs: 5000 });
    ejectFirst(h);
    const times: number[] = [];
    for (let round = 0; round < 5; round++) {
      const { ejectedSince, ejectedUntil } = h.selector.health()[0]!;
      times.push(ejectedUntil! - ejectedSince!);
      h.clock.advance(ejectedUntil! - h.clock.now());
      untilProbe(h);
      h.calls(4, failing([0])); // fails on probation
    }
    expect(times).toEqual([1000, 2000, 4000, 5000, 5000]);
    expect(h.selector.health()[0]!.ejections).toBe(6);
  });

  it("ejects a node that fails on probation at once, for longer; one that passes stays", () => {
    const h = harness(4);
    ejectFirst(h);
    h.clock.advance(1000);
    untilProbe(h);
    expect(h.state(0)).toBe("probation");
    h.calls(4, failing([0])); // one 503 within its five probation calls
    expect(h.selector.health()[0]).toMatchObject({ state: "ejected", ejections: 2, ejectedUntil: 3000 });
    h.clock.advance(2000);
    untilProbe(h);
    h.calls(20); // five calls without a failure
    expect(h.state(0)).toBe("healthy");
    h.calls(4, failing([0])); // a failure after probation starts a run, no more
    expect(h.state(0)).toBe("healthy");
  });

  it("forgives the growth once a node stayed in for the longest ejection", () => {
    const h = harness(4, { maxEjectionMs: 4000 });
    ejectFirst(h);
    h.clock.advance(1000);
    untilProbe(h);
    h.calls(4, failing([0])); // probation failure: level 2
    h.clock.advance(2000);
    untilProbe(h);
    h.calls(40);
    h.clock.advance(4000); // back and well for the longest ejection
    ejectFirst(h);
    expect(h.selector.health()[0]!.ejectedUntil! - h.clock.now()).toBe(1000);
  });

  it("gives the probe only to a call whose filters admit the node, and tries again later", () => {
    const h = harness(4);
    ejectFirst(h);
    h.clock.advance(1000);
    const notFirst = (list: readonly Node[]) => list.filter((n) => n.address !== h.nodes[0]!.address);
    for (let i = 0; i < 10; i++) {
      const { node, done } = h.selector.select({ filters: [notFirst] });
      expect(node).not.toBe(h.nodes[0]);
      done(ok);
    }
    expect(h.state(0)).toBe("ejected");
    expect(h.calls(8)).not.toContain(0); // refused: the next try is a base ejection time later
    h.clock.advance(1000);
    expect(untilProbe(h)).toBe(1);
    expect(h.state(0)).toBe("probation");
  });

  it("a filter that throws on the node alone refuses the probe, never fails the call", () => {
    const h = harness(4);
    ejectFirst(h);
    h.clock.advance(1000);
    const picky: NodeFilter = (list) => {
      if (list.length === 1) throw new Error("not for one node");
      return list;
    };
    const { node, done } = h.selector.select({ filters: [picky] });
    expect(node).not.toBe(h.nodes[0]);
    done(ok);
  });

  it("counts a probe whose done never comes as failed after the ejection's time", () => {
    const h = harness(4);
    ejectFirst(h);
    h.clock.advance(1000);
    const probe = h.selector.select();
    expect(probe.node).toBe(h.nodes[0]);
    h.clock.advance(1000); // no done
    expect(h.selector.health()[0]).toMatchObject({ state: "ejected", ejectedUntil: 3000 });
    h.clock.advance(1000);
    expect(untilProbe(h)).toBe(1);
    expect(h.state(0)).toBe("probation");
  });

  it("keeps an ejected node out when a call in flight before the ejection succeeds", () => {
    const h = harness(1, { intervalMs: 0, maxEjectedShare: 1 });
    const nodes = [...h.nodes];
    const inflight = h.selector.select();
    // Four more nodes so that node 0 can go out without a panic.
    h.selector.apply([...nodes, ...harness(5).nodes.slice(1)]);
    for (let i = 0; i < 3; i++) {
      const { node, done } = h.selector.select();
      done(node === nodes[0] ? refused : ok);
      if (h.state(0) === "ejected") break;
    }
    h.calls(20, failing([0], refused));
    expect(h.state(0)).toBe("ejected");
    inflight.done(ok);
    expect(h.state(0)).toBe("ejected");
  });

  it("holds timers only while a node is out, so a healthy selector can be dropped", () => {
    const h = harness(4);
    ejectFirst(h);
    expect(h.clock.pendingTimers()).toBeGreaterThan(0);
    h.clock.advance(1000);
    untilProbe(h);
    h.calls(40);
    h.clock.advance(60_000);
    expect(h.clock.pendingTimers()).toBe(0);
  });

  it("drops the record and timers of an address that leaves, and ignores its late outcomes", () => {
    const h = harness(4, { baseEjectionMs: 5000, stallMs: 0 });
    ejectFirst(h);
    h.clock.advance(1000); // the interval the refusals opened ends; the ejection's timer is left
    expect(h.clock.pendingTimers()).toBe(1);
    const late = h.selector.select();
    h.selector.apply(h.nodes.slice(1));
    expect(h.clock.pendingTimers()).toBe(0);
    expect(() => late.done(unavailable)).not.toThrow();
    expect(h.selector.health().map((n) => n.address)).toEqual(h.nodes.slice(1).map((n) => n.address));
    // Back later: a new address to the selector, healthy.
    h.selector.apply(h.nodes);
    expect(h.state(0)).toBe("healthy");
  });

  it("keeps the health of an address that stays across an apply, even as a new node object", async () => {
    const { createNode } = await import("../src/node.js");
    const h = harness(4);
    ejectFirst(h);
    const again = h.nodes.map((n) => createNode({ ...n, scheme: n.scheme, address: n.address }));
    h.selector.apply(again);
    expect(h.state(0)).toBe("ejected");
    expect(h.candidates()).not.toContain(again[0]!.address);
  });
});
