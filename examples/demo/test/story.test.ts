import { wrr } from "@switchyard/balancer-wrr";
import { createFakeClock, makeNodes } from "@switchyard/testkit";
import { describe, expect, it } from "vitest";
import { ejectionSpans, storyMarks } from "../src/charts.mjs";
import { createHealthLogger, healthEventOf } from "../src/health-log.mjs";
import { noteOf, roleOf, scenarioSteps } from "../src/scenario.mjs";
import { eventsWithIds } from "../src/stats.mjs";
import { healthLine, storyLine } from "../src/tables.mjs";

const INSTANCES = [
  { id: "i1", version: "1.0.0", weight: 100, delayMs: 2, failRate: 0 },
  { id: "i2", version: "1.0.0", weight: 100, delayMs: 2, failRate: 0, leaves: true },
  { id: "i5", version: "2.0.0", weight: 100, delayMs: 40, failRate: 0 },
  { id: "i6", version: "2.0.0", weight: 100, delayMs: 2, failRate: 0.25, twin: "i1" },
  { id: "i7", version: "2.0.0", weight: 100, delayMs: 2, failRate: 0, late: true },
];

describe("the story a run tells", () => {
  it("gives each instance its role and a note that says when it starts", () => {
    expect(INSTANCES.map(roleOf)).toEqual(["", "leaves", "slow", "fails", "joins"]);
    expect(INSTANCES.map(noteOf)).toEqual([
      "",
      "leaves at 50%",
      "slow (40 ms) from 25% of the run",
      "fails 25% from 25% of the run",
      "joins at 50%",
    ]);
  });

  it("starts the faults a quarter of the way in and changes the membership halfway", () => {
    expect(scenarioSteps(INSTANCES, 1500)).toEqual([
      {
        call: 375,
        events: [
          { kind: "slow", id: "i5", label: "i5 turns slow (40 ms)" },
          { kind: "fails", id: "i6", label: "i6 starts failing 25%" },
        ],
      },
      {
        call: 750,
        events: [
          { kind: "leaves", id: "i2", label: "i2 leaves" },
          { kind: "joins", id: "i7", label: "i7 joins" },
        ],
      },
    ]);
  });

  it("has no step for a fleet where nobody does anything", () => {
    expect(scenarioSteps([INSTANCES[0]], 100)).toEqual([]);
  });
});

describe("the health layer's ejections and returns, from its logger", () => {
  const refused = { error: Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }) };

  it("reads an ejection and a return off a real selector's log lines, and nothing else", () => {
    const clock = createFakeClock();
    const events: unknown[] = [];
    const selector = wrr({ clock, logger: createHealthLogger((e: unknown) => events.push(e), 2) }).build();
    const nodes = makeNodes(4);
    selector.apply(nodes);
    const bad = nodes[0]!.address;
    const round = (fail: boolean) => {
      for (let i = 0; i < 4; i++) {
        const { node, done } = selector.select();
        done(fail && node.address === bad ? refused : undefined);
      }
    };
    for (let i = 0; i < 3; i++) round(true);
    expect(events).toEqual([
      { kind: "ejected", address: bad, reason: "connection-failures", ms: 1000, selector: 2 },
    ]);
    clock.advance(1000);
    round(false);
    expect(events).toHaveLength(2);
    expect(events[1]).toEqual({
      kind: "returned",
      address: bad,
      reason: "connection-failures",
      ms: 1000,
      selector: 2,
    });
  });

  it("ignores lines that are neither, and lines without an address", () => {
    expect(healthEventOf("wrr: no node is healthy (4 failing or out): …", { nodes: 4 })).toBeUndefined();
    expect(
      healthEventOf("node a:1 is failing (…) but stays a candidate", { address: "a:1" }),
    ).toBeUndefined();
    expect(healthEventOf("node a:1 ejected for 1 s", undefined)).toBeUndefined();
  });

  it("names each event's instance by its address on the run's transport, in time order", () => {
    const fleet = [
      { id: "i1", httpAddress: "127.0.0.1:1001", grpcAddress: "127.0.0.1:2001" },
      { id: "i6", httpAddress: "127.0.0.1:1006", grpcAddress: "127.0.0.1:2006" },
    ];
    const events = [
      { at: 2000.4, kind: "returned", address: "127.0.0.1:2006", selector: 1 },
      { at: 750.2, kind: "slow", id: "i1", label: "i1 turns slow (40 ms)" },
      { at: 1000.6, kind: "ejected", address: "127.0.0.1:2006", reason: "success-rate", selector: 1 },
      { at: 1500, kind: "ejected", address: "10.9.9.9:1", reason: "stalled", selector: 1 },
    ];
    expect(eventsWithIds(events, fleet, "grpc").map((e) => [e.at, e.id])).toEqual([
      [750, "i1"],
      [1001, "i6"],
      [1500, "10.9.9.9:1"],
      [2000, "i6"],
    ]);
  });
});

describe("the events as the console and the chart show them", () => {
  const events = [
    { at: 750, kind: "slow", id: "i5", label: "i5 turns slow (40 ms)" },
    { at: 750, kind: "fails", id: "i6", label: "i6 starts failing 25%" },
    { at: 1020, kind: "ejected", id: "i6", reason: "success-rate", selector: 1 },
    { at: 1100, kind: "ejected", id: "i6", reason: "success-rate", selector: 2 },
    { at: 1500, kind: "leaves", id: "i2", label: "i2 leaves" },
    { at: 1500, kind: "joins", id: "i7", label: "i7 joins" },
    { at: 2030, kind: "returned", id: "i6", reason: "success-rate", selector: 1 },
  ];

  it("groups the story's steps by time and lists each instance's ejections and returns", () => {
    expect(storyLine(events)).toBe(
      "0.75 s: i5 turns slow (40 ms), i6 starts failing 25%; 1.50 s: i2 leaves, i7 joins",
    );
    expect(healthLine(events)).toBe(
      "i6 #1 out 1.02 s (success-rate), #2 out 1.10 s (success-rate), #1 back 2.03 s",
    );
    expect(healthLine(events.filter((e) => e.selector !== 2))).toBe(
      "i6 out 1.02 s (success-rate), back 2.03 s",
    );
    expect(healthLine([])).toBe("no ejections");
  });

  it("marks the story's steps once per moment, and each ejection as a span to its return or the end", () => {
    expect(storyMarks(events)).toEqual([
      { at: 750, text: "i5 slow, i6 fails" },
      { at: 1500, text: "i2 leaves, i7 joins" },
    ]);
    expect(ejectionSpans(events, 3000)).toEqual([
      { id: "i6", selector: 1, from: 1020, to: 2030, reason: "success-rate" },
      { id: "i6", selector: 2, from: 1100, to: 3000, reason: "success-rate" },
    ]);
  });

  it("drops a return with no ejection before it", () => {
    expect(ejectionSpans([{ at: 5, kind: "returned", id: "i6", selector: 1 }], 100)).toEqual([]);
  });
});
