import {
  type DoneInfo,
  InvalidArgumentError,
  type Node,
  type OutcomeObserver,
  type WeightedNode,
  type WeightedNodeBuilder,
} from "@switchyard/api";
import { createFakeClock } from "@switchyard/testkit";
import { describe, expect, it } from "vitest";
import { direct } from "../src/direct.js";
import { ewma } from "../src/ewma.js";
import { DEFAULT_HEALTH, healthSettings } from "../src/health/health-options.js";
import { pushbackMs } from "../src/health/pushback.js";
import { createSelectorBuilder } from "../src/selector.js";
import { fleet, ok, refused, roundRobin } from "./health-fixture.js";

/** A node builder that does not report outcomes (a third party's): its done only counts calls. */
function foreignBuilder() {
  const dones: number[] = [];
  const builder: WeightedNodeBuilder = {
    name: "foreign",
    build(node: Node): WeightedNode {
      return {
        raw: node,
        scheme: node.scheme,
        address: node.address,
        serviceName: node.serviceName,
        initialWeight: node.initialWeight,
        version: node.version,
        metadata: node.metadata,
        weight: () => 1,
        pickElapsed: () => 0,
        pick: () => () => {
          dones.push(1);
        },
      };
    },
  };
  return { builder, dones };
}

describe("health options", () => {
  it("has documented defaults, and takes any subset", () => {
    expect(healthSettings(undefined, "x")).toBe(DEFAULT_HEALTH);
    expect(healthSettings({ consecutiveFailures: 3 }, "x")).toEqual({
      ...DEFAULT_HEALTH,
      consecutiveFailures: 3,
    });
    expect(Object.isFrozen(healthSettings({}, "x"))).toBe(true);
  });

  it.each([
    [
      { consecutiveFailure: 3 },
      /health\.consecutiveFailure is not a health option; known: consecutiveFailures/,
    ],
    [{ consecutiveFailures: 2.5 }, /health\.consecutiveFailures must be an integer ≥ 0, got 2\.5/],
    [{ intervalMs: -1 }, /health\.intervalMs must be a finite number ≥ 0, got -1/],
    [{ maxEjectedShare: 1.5 }, /health\.maxEjectedShare must be a number from 0 to 1, got 1\.5/],
    [{ baseEjectionMs: Number.NaN }, /health\.baseEjectionMs must be a finite number ≥ 0, got NaN/],
    [{ probationCalls: "5" }, /health\.probationCalls must be an integer ≥ 0, got "5"/],
    [
      { baseEjectionMs: 5000, maxEjectionMs: 1000 },
      /health\.maxEjectionMs \(1000\) must be at least health\.baseEjectionMs \(5000\)/,
    ],
    [[], /health must be false or an object of health options, got an array/],
  ])("refuses %j when the builder is made", (health, message) => {
    const make = () =>
      createSelectorBuilder({
        balancer: roundRobin().builder,
        nodeBuilder: direct(),
        health: health as never,
      });
    expect(make).toThrow(InvalidArgumentError);
    expect(make).toThrow(message);
    expect(make).toThrow(/^createSelectorBuilder: /);
  });

  it("refuses a logger without warn and a clock without timers", () => {
    const base = { balancer: roundRobin().builder, nodeBuilder: direct() };
    expect(() => createSelectorBuilder({ ...base, logger: {} as never })).toThrow(
      /logger must be an object with a warn/,
    );
    expect(() => createSelectorBuilder({ ...base, clock: { now: () => 0 } as never })).toThrow(
      /clock must have now\(\), setTimeout\(\) and clearTimeout\(\)/,
    );
  });
});

describe("health and the node builders", () => {
  it("with health: false, keeps every node a candidate whatever its calls do, as Kratos does", () => {
    const clock = createFakeClock();
    const rr = roundRobin();
    const selector = createSelectorBuilder({
      balancer: rr.builder,
      nodeBuilder: direct({ clock }),
      health: false,
      clock,
    }).build();
    const nodes = fleet(2);
    selector.apply(nodes);
    for (let i = 0; i < 40; i++) {
      const { node, done } = selector.select();
      done(node === nodes[0] ? refused : ok);
    }
    expect(rr.seen.every((list) => list.length === 2)).toBe(true);
    expect(selector.health!()).toEqual([]);
    expect(clock.pendingTimers()).toBe(0);
  });

  it("hands the observer only to a builder that declares reportsOutcomes, and keeps one per address", () => {
    const seen: (OutcomeObserver | undefined)[] = [];
    const spy = (reports: boolean): WeightedNodeBuilder => {
      const inner = direct();
      return {
        name: "spy",
        reportsOutcomes: reports,
        build(node, previous, observer) {
          seen.push(observer);
          return inner.build(node, previous, observer);
        },
      };
    };
    for (const reports of [false, true]) {
      seen.length = 0;
      const selector = createSelectorBuilder({
        balancer: roundRobin().builder,
        nodeBuilder: spy(reports),
      }).build();
      const nodes = fleet(2);
      selector.apply(nodes);
      selector.apply(fleet(2)); // new objects, same addresses
      if (!reports) expect(seen).toEqual([undefined, undefined, undefined, undefined]);
      else {
        expect(seen[0]).toBeDefined();
        expect(seen[2]).toBe(seen[0]);
        expect(seen[3]).toBe(seen[1]);
        expect(seen[0]).not.toBe(seen[1]);
      }
    }
  });

  it("gives health to a builder that does not report outcomes, through its own done, once per call", () => {
    const clock = createFakeClock();
    const { builder, dones } = foreignBuilder();
    const selector = createSelectorBuilder({
      balancer: roundRobin().builder,
      nodeBuilder: builder,
      clock,
      health: { intervalMs: 0 },
    }).build();
    const nodes = fleet(3);
    selector.apply(nodes);
    for (let i = 0; i < 9; i++) {
      const { node, done } = selector.select();
      done(node === nodes[0] ? refused : ok);
      done(refused); // twice: ignored by the selector's wrapper
    }
    expect(dones).toHaveLength(9);
    expect(selector.health!()[0]!.state).toBe("ejected");
    expect(selector.health!()[1]!.state).toBe("healthy");
  });

  it("counts a direct node's outcomes once per pick, whatever the caller does with done", () => {
    const clock = createFakeClock();
    const selector = createSelectorBuilder({
      balancer: roundRobin().builder,
      nodeBuilder: direct({ clock }),
      clock,
      health: { intervalMs: 0 },
    }).build();
    selector.apply(fleet(1));
    const first = selector.select();
    first.done(refused);
    first.done(refused);
    first.done(refused); // one pick, one outcome
    expect(selector.health!()[0]).toMatchObject({ state: "healthy", consecutiveFailures: 1 });
    // With other calls in flight a second call stands in for one of them (whose own is then ignored).
    const a = selector.select();
    const b = selector.select();
    a.done(refused);
    a.done(refused);
    b.done(refused);
    expect(selector.health!()[0]).toMatchObject({ state: "ejected" });
  });

  it("ewma nodes report to the record their builder is given, and keep it across a rebuild", () => {
    const clock = createFakeClock();
    const selector = createSelectorBuilder({
      balancer: roundRobin().builder,
      nodeBuilder: ewma({ clock }),
      clock,
      health: { intervalMs: 0 },
    }).build();
    selector.apply(fleet(3));
    selector.apply(fleet(3));
    for (let i = 0; i < 9; i++) {
      const { node, done } = selector.select();
      done(node.address === "10.0.0.0:80" ? refused : ok);
    }
    expect(selector.health!()[0]!.state).toBe("ejected");
  });
});

describe("pushback", () => {
  const meta = (headers: Record<string, string>): DoneInfo => ({ replyMetadata: { get: (k) => headers[k] } });

  it.each([
    [{ "retry-after": "3" }, 3000],
    [{ "retry-after": " 2 " }, 2000],
    [{ "retry-after": "0" }, undefined],
    [{ "retry-after": "-1" }, undefined],
    [{ "retry-after": "soon" }, undefined],
    [{ "retry-after": "Wed, 21 Oct 2026 07:28:05 GMT" }, 5000],
    [{ "retry-after": "Wed, 21 Oct 2026 07:27:00 GMT" }, undefined],
    [{ "grpc-retry-pushback-ms": "150" }, 150],
    [{ "grpc-retry-pushback-ms": "-1" }, undefined],
    [{ "grpc-retry-pushback-ms": "1.5" }, undefined],
    [{ "grpc-retry-pushback-ms": "150", "retry-after": "9" }, 150],
    [{}, undefined],
  ])("reads %j as %s ms", (headers, ms) => {
    expect(pushbackMs(meta(headers), () => Date.parse("Wed, 21 Oct 2026 07:28:00 GMT"))).toBe(ms);
  });

  it("reads nothing without reply metadata", () => {
    expect(pushbackMs(undefined)).toBeUndefined();
    expect(pushbackMs({ httpStatus: 503 })).toBeUndefined();
  });
});
