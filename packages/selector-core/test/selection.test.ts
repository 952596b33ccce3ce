import type { DoneFunc, WeightedNode, WeightedNodeBuilder } from "@switchyard/api";
import { createFakeClock, type FakeClock } from "@switchyard/testkit";
import { beforeEach, describe, expect, it } from "vitest";
import { type DirectNode, direct } from "../src/direct.js";
import { type EwmaNode, ewma } from "../src/ewma.js";
import { createSelectorBuilder, type DefaultSelector } from "../src/selector.js";
import { WrappedNode } from "../src/wrapped-node.js";
import { firstSelector, fleet, ok, unavailable } from "./health-fixture.js";

let clock: FakeClock;
const lines: string[] = [];
const logger = { warn: (message: string) => lines.push(message) };

beforeEach(() => {
  clock = createFakeClock(1_000);
  lines.length = 0;
});

function ewmaSelector() {
  return firstSelector({ clock, nodeBuilder: ewma({ clock }), logger });
}

/** An ewma selector over `n` nodes whose first node is ejected by one started, failed call. */
function ejectedFirst(n: number, baseEjectionMs: number) {
  const selector = firstSelector({
    clock,
    nodeBuilder: ewma({ clock }),
    logger,
    health: { consecutiveFailures: 1, baseEjectionMs },
  });
  selector.apply(fleet(n));
  const failing = selector.selectDeferred();
  failing.start();
  failing.done(unavailable);
  expect(selector.health()[0]!.state).toBe("ejected");
  return selector;
}

describe("two-phase select (selectDeferred)", () => {
  it("counts an ewma call in flight from start(), not from the pick", () => {
    const selector = ewmaSelector();
    selector.apply(fleet(1));
    const node = selector.nodes()[0] as EwmaNode;
    const selection = selector.selectDeferred();
    expect(selection.deferred).toBe(true);
    expect(selection.node).toBe(selector.nodes()[0]!.raw);
    expect(node.callsInFlight()).toBe(0);
    selection.start();
    expect(node.callsInFlight()).toBe(1);
    selection.done(ok);
    expect(node.callsInFlight()).toBe(0);
  });

  it("measures latency from start(): time between pick and start is not the node's", () => {
    const selector = ewmaSelector();
    selector.apply(fleet(1));
    const node = selector.nodes()[0] as EwmaNode;
    const selection = selector.selectDeferred();
    clock.advance(400); // queued in the channel, waiting for credentials
    selection.start();
    clock.advance(10);
    selection.done(ok);
    expect(node.stats().latencyMs).toBe(10);
  });

  it("leaves no trace of a pick that never starts: nothing in flight, no sample, no failure", () => {
    const selector = ewmaSelector();
    selector.apply(fleet(1));
    const node = selector.nodes()[0] as EwmaNode;
    for (let i = 0; i < 20; i++) selector.selectDeferred(); // dropped by the transport, never ended
    const dropped = selector.selectDeferred();
    dropped.done(unavailable); // even a failure reported for a call that never started
    expect(node.callsInFlight()).toBe(0);
    expect(node.stats()).toMatchObject({ latencyMs: undefined, success: 1000, inflight: 0 });
    expect(selector.health()[0]).toMatchObject({ state: "healthy", consecutiveFailures: 0 });
  });

  it("records the pick time at the pick, for balancers that probe by pickElapsed", () => {
    const selector = ewmaSelector();
    selector.apply(fleet(1));
    const node = selector.nodes()[0]!;
    clock.advance(5_000);
    selector.selectDeferred();
    expect(node.pickElapsed()).toBe(0);
  });

  it("ignores a second start and a second done, and a start after done", () => {
    const selector = ewmaSelector();
    selector.apply(fleet(1));
    const node = selector.nodes()[0] as EwmaNode;
    const a = selector.selectDeferred();
    a.start();
    a.start();
    expect(node.callsInFlight()).toBe(1);
    a.done(ok);
    a.done(unavailable);
    a.start();
    expect(node.callsInFlight()).toBe(0);
    expect(node.stats().success).toBe(1000);
  });

  it("feeds the health layer from started calls of direct nodes only", () => {
    const selector = firstSelector({ clock, nodeBuilder: direct({ clock }), logger });
    selector.apply(fleet(2));
    const node = selector.nodes()[0] as DirectNode;
    selector.selectDeferred().done(unavailable); // never started
    expect(node.picks).toBe(0);
    expect(selector.health()[0]).toMatchObject({ consecutiveFailures: 0 });
    const started = selector.selectDeferred();
    started.start();
    expect(node.picks).toBe(1);
    started.done(unavailable);
    expect(node.settled).toBe(1);
    expect(selector.health()[0]).toMatchObject({ consecutiveFailures: 1 });
  });

  it("keeps select() as it was: a pick counts at once and its done ends it", () => {
    const selector = ewmaSelector();
    selector.apply(fleet(1));
    const node = selector.nodes()[0] as EwmaNode;
    const { done } = selector.select();
    expect(node.callsInFlight()).toBe(1);
    done(ok);
    expect(node.callsInFlight()).toBe(0);
  });

  it("counts at the pick for a node builder without two-phase picks (deferred: false)", () => {
    let inflight = 0;
    class Counting extends WrappedNode implements WeightedNode {
      weight(): number {
        return 1;
      }
      pick(): DoneFunc {
        inflight++;
        return () => {
          inflight--;
        };
      }
      pickElapsed(): number {
        return 0;
      }
    }
    const nodeBuilder: WeightedNodeBuilder = { name: "counting", build: (node) => new Counting(node) };
    const selector = firstSelector({ clock, nodeBuilder, logger });
    selector.apply(fleet(1));
    const selection = selector.selectDeferred();
    expect(selection.deferred).toBe(false);
    expect(inflight).toBe(1);
    selection.start();
    expect(inflight).toBe(1);
    selection.done({ bytesSent: false });
    selection.done(ok);
    expect(inflight).toBe(0);
  });

  it("still runs the done of a balancer that keeps state per call (deferred: false), counting the node from the start", () => {
    let open = 0;
    const selector = createSelectorBuilder({
      balancer: {
        name: "counting",
        build: () => ({
          pick(nodes) {
            const node = nodes[0]!;
            const inner = node.pick();
            open++;
            return {
              node,
              done: (info) => {
                open--;
                inner(info);
              },
            };
          },
        }),
      },
      nodeBuilder: ewma({ clock }),
      clock,
    }).build() as DefaultSelector;
    selector.apply(fleet(1));
    const node = selector.nodes()[0] as EwmaNode;
    const dropped = selector.selectDeferred();
    expect(dropped.deferred).toBe(false);
    expect(node.callsInFlight()).toBe(0);
    dropped.done({ bytesSent: false }); // what a transport reports for a pick that never started
    expect(open).toBe(0);
    const call = selector.selectDeferred();
    clock.advance(100);
    call.start();
    expect(node.callsInFlight()).toBe(1);
    clock.advance(10);
    call.done(ok);
    expect(open).toBe(0);
    expect(node.stats()).toMatchObject({ inflight: 0, latencyMs: 10 });
  });

  it("counts a probe of an ejected node at its pick (deferred: false), and ends the ejection on success", () => {
    const selector = ejectedFirst(2, 1_000);
    clock.advance(1_000);
    const probe = selector.selectDeferred();
    expect(probe.node).toBe(selector.nodes()[0]!.raw);
    expect(probe.deferred).toBe(false);
    expect((selector.nodes()[0] as EwmaNode).callsInFlight()).toBe(1);
    probe.start();
    probe.done(ok);
    expect(selector.health()[0]!.state).not.toBe("ejected");
    // The next select is deferred again.
    expect(selector.selectDeferred().deferred).toBe(true);
  });

  it("watches every deferred outcome while no node is healthy: a success ends the ejections at once", () => {
    const selector = ejectedFirst(1, 10_000);
    const next = selector.selectDeferred();
    expect(next.deferred).toBe(true);
    next.start();
    next.done(ok);
    expect(selector.health()[0]!.state).not.toBe("ejected");
  });
});

describe("two-phase select across an apply", () => {
  // A call picked on a node object, which an apply then replaces (a new object for the same
  // address, from a registry update) before the call starts: its outcome still counts for the
  // address. Here a success between failures breaks their run, so three failures with a success
  // among them do not eject (consecutiveFailures: 3).
  for (const [name, nodeBuilder] of [
    ["direct", () => direct({ clock })],
    ["ewma", () => ewma({ clock })],
  ] as const) {
    it(`reads the outcome of a call started on a ${name} node an apply replaced since its pick`, () => {
      const selector = firstSelector({
        clock,
        nodeBuilder: nodeBuilder(),
        logger,
        health: { consecutiveFailures: 3, slowStartMs: 0 },
      });
      selector.apply(fleet(4));
      const call = (info: typeof ok) => {
        const selection = selector.selectDeferred();
        selection.start();
        selection.done(info);
      };
      call(unavailable);
      const picked = selector.selectDeferred(); // picked, not started yet
      selector.apply(fleet(4)); // new node objects for the same addresses
      picked.start();
      picked.done(ok);
      call(unavailable);
      call(unavailable);
      expect(selector.health()[0]!.state).not.toBe("ejected");
      call(unavailable); // the third in a row
      expect(selector.health()[0]!.state).toBe("ejected");
    });
  }
});
