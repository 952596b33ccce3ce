import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { type DoneInfo, FilterError, NoAvailableNodeError, type NodeFilter } from "@switchyard/api";
import { createFakeClock } from "@switchyard/testkit";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  APPLY_CHANNEL,
  type ApplyMessage,
  DONE_CHANNEL,
  type DoneMessage,
  ERROR_CHANNEL,
  HEALTH_CHANNEL,
  type HealthMessage,
  PICK_CHANNEL,
  type PickMessage,
  type SelectErrorMessage,
  SelectorTap,
} from "../src/diagnostics.js";
import { direct } from "../src/direct.js";
import { ewma } from "../src/ewma.js";
import { createNode } from "../src/node.js";
import { createSelectorBuilder } from "../src/selector.js";
import { fleet, harness, ok, refused, roundRobin, unavailable } from "./health-fixture.js";

const subscriptions: [string, (message: unknown) => void][] = [];

/** Subscribes to `name` until the end of the test; returns the messages it receives. */
function listen<T>(name: string): T[] {
  const messages: T[] = [];
  const listener = (message: unknown) => messages.push(message as T);
  subscribe(name, listener);
  subscriptions.push([name, listener]);
  return messages;
}

afterEach(() => {
  for (const [name, listener] of subscriptions.splice(0)) unsubscribe(name, listener);
});

describe("diagnostics channels and two-phase selects", () => {
  it("publish a two-phase call from its start to its end, and nothing of a pick that never starts", () => {
    const h = harness(3);
    const picks = listen<PickMessage>(PICK_CHANNEL);
    const dones = listen<DoneMessage>(DONE_CHANNEL);
    const dropped = h.selector.selectDeferred({ attributes: { path: "/a" } });
    expect(dropped.deferred).toBe(true);
    expect(picks).toHaveLength(0); // picked, not started: not a call yet
    const call = h.selector.selectDeferred({ attributes: { path: "/b" } });
    h.clock.advance(50); // queued before it starts: not the node's latency
    call.start();
    expect(picks.map((m) => [m.node.address, m.attributes])).toEqual([[call.node.address, { path: "/b" }]]);
    h.clock.advance(7);
    call.done(ok);
    call.done(ok); // a second done is ignored, and not published
    expect(dones.map((m) => [m.node.address, m.durationMs, m.failure])).toEqual([
      [call.node.address, 7, false],
    ]);
    dropped.done(); // the caller may end a pick it never started: still nothing
    expect(picks).toHaveLength(1);
    expect(dones).toHaveLength(1);
  });

  it("publish the candidate count of the call's own select, whatever ran between its pick and its start", () => {
    const h = harness(3);
    const picks = listen<PickMessage>(PICK_CHANNEL);
    const call = h.selector.selectDeferred();
    const one: NodeFilter = (nodes) => nodes.slice(0, 1);
    h.selector.select({ filters: [one] }).done(ok); // another select, over one candidate
    call.start();
    call.done(ok);
    expect(picks.map((m) => m.candidates)).toEqual([1, 3]);
  });

  it("publish a failed two-phase select on switchyard:error", () => {
    const h = harness(2);
    const errors = listen<SelectErrorMessage>(ERROR_CHANNEL);
    const none: NodeFilter = () => [];
    expect(() => h.selector.selectDeferred({ filters: [none] })).toThrow(NoAvailableNodeError);
    expect(errors).toHaveLength(1);
  });
});

describe("diagnostics channels", () => {
  it("publishes exactly one pick and one completion per call, split by node as the balancer chose", () => {
    const h = harness(3);
    const picks = listen<PickMessage>(PICK_CHANNEL);
    const dones = listen<DoneMessage>(DONE_CHANNEL);
    const chosen = new Map<string, number>();
    for (let i = 0; i < 30; i++) {
      const { node, done } = h.selector.select({ attributes: { path: "/hello" } });
      chosen.set(node.address, (chosen.get(node.address) ?? 0) + 1);
      h.clock.advance(7);
      done(i % 10 === 0 ? unavailable : ok);
      done(ok); // a second call is ignored, and not published
    }
    expect(picks).toHaveLength(30);
    expect(dones).toHaveLength(30);
    const count = (messages: { node: { address: string } }[]) => {
      const by = new Map<string, number>();
      for (const m of messages) by.set(m.node.address, (by.get(m.node.address) ?? 0) + 1);
      return by;
    };
    expect(count(picks)).toEqual(chosen);
    expect(count(dones)).toEqual(chosen);
    expect(picks[0]).toEqual({
      selector: h.selector,
      service: "helloworld",
      node: h.nodes[0],
      balancer: "rr",
      candidates: 3,
      attributes: { path: "/hello" },
    });
    expect(dones[0]).toMatchObject({ node: h.nodes[0], balancer: "rr", info: unavailable, failure: true });
    expect(dones[1]).toMatchObject({ info: ok, failure: false, durationMs: 7 });
    expect(dones.filter((m) => m.failure)).toHaveLength(3);
  });

  it("counts a completion the node builder's isFailure marks as a failure", () => {
    const clock = createFakeClock();
    const selector = createSelectorBuilder({
      balancer: roundRobin().builder,
      nodeBuilder: ewma({ clock, isFailure: (info) => info.httpStatus === 500 }),
      clock,
    }).build();
    selector.apply(fleet(2));
    const dones = listen<DoneMessage>(DONE_CHANNEL);
    selector.select().done({ httpStatus: 500 });
    selector.select().done({ httpStatus: 404 });
    expect(dones.map((m) => m.failure)).toEqual([true, false]);
  });

  it("publishes the completion of a call only when done had a subscriber at the pick", () => {
    const h = harness(2);
    const before = h.selector.select();
    const dones = listen<DoneMessage>(DONE_CHANNEL);
    before.done(ok);
    h.selector.select().done(ok);
    expect(dones).toHaveLength(1);
  });

  it("publishes a node's ejection and its return, with the reason and the count of ejections", () => {
    const h = harness(4);
    const health = listen<HealthMessage>(HEALTH_CHANNEL);
    h.calls(12, (index) => (index === 0 ? refused : ok));
    expect(health).toEqual([
      {
        selector: h.selector,
        service: "helloworld",
        node: h.nodes[0],
        balancer: "rr",
        event: "ejected",
        reason: "connection-failures",
        ejections: 1,
        durationMs: 1000,
      },
    ]);
    h.clock.advance(1000);
    const probe = h.selector.select();
    expect(probe.node).toBe(h.nodes[0]);
    h.clock.advance(5);
    probe.done(ok);
    expect(health).toHaveLength(2);
    expect(health[1]).toMatchObject({
      node: h.nodes[0],
      event: "returned",
      reason: "connection-failures",
      ejections: 1,
      durationMs: 1005,
    });
  });

  it("publishes each applied list with the nodes that joined and left", () => {
    const h = harness(3, undefined, false);
    const applies = listen<ApplyMessage>(APPLY_CHANNEL);
    const [a, b, c] = h.nodes as [(typeof h.nodes)[0], (typeof h.nodes)[0], (typeof h.nodes)[0]];
    h.selector.apply([a, b]);
    const d = createNode({ scheme: "http", address: "10.0.0.9:80", serviceName: "helloworld" });
    h.selector.apply([b, c, d]);
    expect(() => h.selector.apply([b, b])).toThrow(); // refused: nothing published
    expect(applies).toEqual([
      { selector: h.selector, service: "helloworld", balancer: "rr", count: 2, added: [a, b], removed: [] },
      { selector: h.selector, service: "helloworld", balancer: "rr", count: 3, added: [c, d], removed: [a] },
    ]);
  });

  it("publishes a select that throws, with the error the caller gets", () => {
    const h = harness(2);
    const errors = listen<SelectErrorMessage>(ERROR_CHANNEL);
    const none: NodeFilter = () => [];
    const broken: NodeFilter = () => {
      throw new Error("boom");
    };
    expect(() => h.selector.select({ filters: [none], attributes: { a: 1 } })).toThrow(NoAvailableNodeError);
    expect(() => h.selector.select({ filters: [broken] })).toThrow(FilterError);
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatchObject({ service: "helloworld", balancer: "rr", attributes: { a: 1 } });
    expect(errors[0]!.error).toBeInstanceOf(NoAvailableNodeError);
    expect(errors[1]!.error).toBeInstanceOf(FilterError);
  });

  it("builds no message, reads no clock and wraps no done while nobody subscribes", () => {
    const clock = createFakeClock();
    const doneOf = new Map<string, (info?: DoneInfo) => void>();
    const selector = createSelectorBuilder({
      balancer: {
        name: "own",
        build: () => ({
          pick(candidates) {
            const node = candidates[0]!;
            const done = node.pick();
            doneOf.set(node.address, done);
            return { node, done };
          },
        }),
      },
      // The nodes keep a clock of their own: only the selector's is watched.
      nodeBuilder: direct({ clock: createFakeClock() }),
      health: false,
      clock,
    }).build();
    selector.apply(fleet(1));
    const now = vi.spyOn(clock, "now");
    const picked = vi.spyOn(SelectorTap.prototype, "picked");
    const failed = vi.spyOn(SelectorTap.prototype, "failed");
    const { node, done } = selector.select();
    expect(done).toBe(doneOf.get(node.address));
    done(ok);
    expect(() => selector.select({ filters: [() => []] })).toThrow(NoAvailableNodeError);
    expect(now).not.toHaveBeenCalled();
    expect(picked).not.toHaveBeenCalled();
    expect(failed).not.toHaveBeenCalled();

    const picks = listen<PickMessage>(PICK_CHANNEL);
    listen<DoneMessage>(DONE_CHANNEL);
    const watched = selector.select();
    expect(watched.done).not.toBe(doneOf.get(node.address));
    watched.done(ok);
    expect(picks).toHaveLength(1);
    expect(now).toHaveBeenCalledTimes(2); // once at the pick, once at the done
    picked.mockRestore();
    failed.mockRestore();
  });
});
