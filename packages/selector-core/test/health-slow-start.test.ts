import type { Balancer, CandidateInfo, WeightedNode } from "@switchyard/api";
import { createFakeClock } from "@switchyard/testkit";
import { describe, expect, it } from "vitest";
import { direct } from "../src/direct.js";
import { ewma } from "../src/ewma.js";
import { SLOW_START_MIN_FACTOR } from "../src/health/slow-start.js";
import { createSelectorBuilder, type DefaultSelector } from "../src/selector.js";
import { failing, fleet, refused } from "./health-fixture.js";

/** A selector whose balancer records the weights and info of each pick's candidates. */
function recording(nodeBuilder = "direct" as "direct" | "ewma", slowStartMs?: number) {
  const clock = createFakeClock();
  const picks: { list: readonly WeightedNode[]; weights: number[]; info: CandidateInfo }[] = [];
  const balancer: Balancer = {
    pick(list, _context, info) {
      picks.push({ list, weights: list.map((n) => n.weight(clock.now())), info });
      const node = list[picks.length % list.length]!;
      return { node, done: node.pick() };
    },
  };
  const builder = nodeBuilder === "direct" ? direct({ clock }) : ewma({ clock });
  const selector = createSelectorBuilder({
    balancer: { name: "rec", build: () => balancer },
    nodeBuilder: builder,
    clock,
    health: slowStartMs === undefined ? { slowStartMs: 10_000, stallMs: 0 } : { slowStartMs, stallMs: 0 },
  }).build() as DefaultSelector;
  const last = () => picks[picks.length - 1]!;
  const select = () => {
    selector.select().done({ httpStatus: 200 });
    return last();
  };
  return { clock, selector, select };
}

describe("health: slow start", () => {
  it("ramps a node that joins a list from a tenth of its weight to all of it over the window, in steps", () => {
    const { clock, selector, select } = recording();
    const nodes = fleet(4);
    selector.apply(nodes.slice(0, 3));
    expect(select().weights).toEqual([100, 100, 100]); // the first list does not ramp
    expect(select().info.ramping).toBeFalsy();
    clock.advance(1000);
    selector.apply(nodes);
    const first = select();
    expect(first.weights).toEqual([100, 100, 100, 100 * SLOW_START_MIN_FACTOR]);
    expect(first.info).toMatchObject({ stable: true, staticWeights: true, ramping: true });
    expect(select().list).toBe(first.list); // one list per step: weights fixed while it is handed out
    const seen: number[] = [];
    for (let t = 1000; t <= 10_000; t += 1000) {
      clock.advance(1000);
      const pick = select();
      seen.push(Math.round(pick.weights[3]!));
    }
    expect(seen).toEqual([19, 28, 37, 46, 55, 64, 73, 82, 91, 100]);
    const after = select();
    expect(after.list).toBe(selector.nodes());
    expect(after.info.ramping).toBeFalsy();
    expect(clock.pendingTimers()).toBe(0);
  });

  it("holds back at most a tenth of the candidates when many ramp at once, so the rest are not overloaded", () => {
    const { clock, selector, select } = recording();
    const nodes = fleet(20);
    selector.apply(nodes.slice(0, 10));
    clock.advance(1000);
    selector.apply(nodes); // ten join a list of ten: 2 nodes' worth may be held back, not 9
    const weights = select().weights.slice(10);
    for (const w of weights) expect(w).toBeCloseTo(100 * (1 - 2 / 10), 9);
  });

  it("does not ramp nodes that join within a second of the first list: the fleet arriving (gRPC's subchannels, one by one)", () => {
    const { clock, selector, select } = recording();
    const nodes = fleet(4);
    selector.apply(nodes.slice(0, 1));
    clock.advance(300);
    selector.apply(nodes.slice(0, 2));
    clock.advance(300);
    selector.apply(nodes.slice(0, 3));
    expect(select().weights).toEqual([100, 100, 100]);
    clock.advance(400);
    selector.apply(nodes); // a second after the first list: a node joining the fleet
    expect(select().weights[3]).toBeCloseTo(100 * SLOW_START_MIN_FACTOR);
  });

  it("does not ramp a list replaced mostly at once: no old nodes would carry what new ones do not take", () => {
    const { clock, selector, select } = recording();
    const nodes = fleet(8);
    selector.apply(nodes.slice(0, 4));
    clock.advance(1000);
    selector.apply(nodes.slice(2)); // four new of six
    expect(select().weights).toEqual([100, 100, 100, 100, 100, 100]);
  });

  it("ramps a node back from an ejection", () => {
    const { clock, selector, select } = recording();
    const nodes = fleet(4);
    selector.apply(nodes);
    for (let i = 0; i < 12; i++) {
      const { node, done } = selector.select();
      done(failing([0], refused)(nodes.indexOf(node)));
    }
    expect(selector.health!()[0]!.state).toBe("ejected");
    clock.advance(1000);
    const probe = selector.select();
    expect(probe.node).toBe(nodes[0]);
    probe.done({ httpStatus: 200 });
    expect(select().weights[0]).toBeCloseTo(100 * SLOW_START_MIN_FACTOR);
  });

  it("scales ewma weights too, and slowStartMs: 0 turns it off", () => {
    const ramped = recording("ewma");
    ramped.selector.apply(fleet(2));
    ramped.clock.advance(1000);
    ramped.selector.apply(fleet(3));
    const { weights } = ramped.select();
    expect(weights[2]! / weights[0]!).toBeCloseTo(SLOW_START_MIN_FACTOR);
    const off = recording("direct", 0);
    off.selector.apply(fleet(2));
    off.clock.advance(1000);
    off.selector.apply(fleet(3));
    expect(off.select().weights).toEqual([100, 100, 100]);
    expect(off.clock.pendingTimers()).toBe(0);
  });
});
