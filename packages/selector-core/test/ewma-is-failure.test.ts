import { type DoneInfo, InvalidArgumentError, type Logger } from "@switchyard/api";
import { WARNING_CODE } from "@switchyard/kit";
import { createFakeClock, type FakeClock } from "@switchyard/testkit";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { EwmaNode, ewma, IS_FAILURE_REPORT_INTERVAL_MS } from "../src/ewma.js";
import { createNode } from "../src/node.js";

// The bug users write: `info.error` is undefined on a success.
const buggy = (info: DoneInfo) => (info.error as { code: number }).code === 14;

let clock: FakeClock;
let warnings: { message: string; details: Readonly<Record<string, unknown>> | undefined }[];
let logger: Logger;

beforeEach(() => {
  clock = createFakeClock(1_000);
  warnings = [];
  logger = { warn: (message, details) => warnings.push({ message, details }) };
});

afterEach(() => {
  vi.restoreAllMocks();
});

const build = (address: string, options: Parameters<typeof ewma>[0] = {}) =>
  ewma({ clock, isFailure: buggy, logger, ...options }).build(
    createNode({ scheme: "grpc", address }),
  ) as EwmaNode;

/** Picks, advances `ms`, completes with `info`; returns what `done` threw, if anything. */
function call(node: EwmaNode, ms: number, info: DoneInfo): unknown {
  const done = node.pick();
  clock.advance(ms);
  try {
    done(info);
    return undefined;
  } catch (thrown) {
    return thrown;
  }
}

describe("ewma with an isFailure that throws", () => {
  it.each(["linear", "kratos"] as const)(
    "never throws from done, and records the completion by the built-in rules alone (%s cost)",
    (cost) => {
      const n = build("10.0.0.1:9000", { cost });
      expect(call(n, 10, { grpcStatus: 0 })).toBeUndefined();
      expect(n.stats()).toMatchObject({ latencyMs: 10, success: 1000, inflight: 0 });
      clock.advance(100);
      // UNAVAILABLE is a failure by the built-in rules, whatever the predicate does.
      expect(call(n, 10, { grpcStatus: 14 })).toBeUndefined();
      expect(n.stats().success).toBeLessThan(1000);
      expect(n.stats().inflight).toBe(0);
    },
  );

  it("reports the first throw through the logger, then at most once a minute with the count of the rest", () => {
    const n = build("10.0.0.1:9000");
    for (let i = 0; i < 1000; i++) call(n, 1, { grpcStatus: 0 });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.message).toMatch(
      /^ewma: isFailure threw \(.*undefined.*\); the call was classified by the built-in rules alone\./,
    );
    expect(warnings[0]!.details).toMatchObject({ unreported: 0 });
    expect(warnings[0]!.details!.error).toBeInstanceOf(TypeError);
    // The first throw was at t = 1001, the last of the thousand at 2000: go to just short of a minute.
    clock.advance(IS_FAILURE_REPORT_INTERVAL_MS - 1000);
    call(n, 0, { grpcStatus: 0 });
    expect(warnings).toHaveLength(1);
    clock.advance(1);
    call(n, 0, { grpcStatus: 0 });
    expect(warnings).toHaveLength(2);
    expect(warnings[1]!.message).toContain("(1000 more throws since the last report)");
    expect(warnings[1]!.details).toMatchObject({ unreported: 1000 });
  });

  it("reports once for all the nodes of one builder", () => {
    const builder = ewma({ clock, isFailure: buggy, logger });
    const nodes = ["a:1", "b:1", "c:1"].map((address) =>
      builder.build(createNode({ scheme: "grpc", address })),
    );
    for (const node of nodes) {
      const done = node.pick();
      clock.advance(1);
      done({ grpcStatus: 0 });
    }
    expect(warnings).toHaveLength(1);
  });

  it("falls back to process.emitWarning without a logger, once, not once per call", () => {
    const emitted = vi.spyOn(process, "emitWarning").mockImplementation(() => {});
    const n = build("10.0.0.1:9000", { logger: undefined });
    for (let i = 0; i < 100; i++) expect(call(n, 1, { grpcStatus: 0 })).toBeUndefined();
    expect(emitted).toHaveBeenCalledTimes(1);
    expect(emitted.mock.calls[0]![0]).toMatch(/^ewma: isFailure threw/);
    expect(emitted.mock.calls[0]![1]).toMatchObject({ code: WARNING_CODE });
  });

  it("survives a logger that throws too", () => {
    const emitted = vi.spyOn(process, "emitWarning").mockImplementation(() => {});
    const n = build("10.0.0.1:9000", {
      logger: {
        warn: () => {
          throw new Error("logger down");
        },
      },
    });
    expect(call(n, 1, { grpcStatus: 0 })).toBeUndefined();
    expect(n.stats().latencyMs).toBe(1);
    expect(emitted).toHaveBeenCalledTimes(1);
    expect(String(emitted.mock.calls[0]![0])).toContain("the logger threw while reporting this: logger down");
  });

  it("still counts what the predicate marks when it does not throw", () => {
    const n = build("10.0.0.1:9000");
    expect(call(n, 1, { error: Object.assign(new Error("x"), { code: 14 }) })).toBeUndefined();
    expect(n.stats().success).toBe(0);
    expect(warnings).toHaveLength(0);
  });

  it("isolates a bare predicate given to the EwmaNode constructor too", () => {
    const emitted = vi.spyOn(process, "emitWarning").mockImplementation(() => {});
    const n = new EwmaNode(createNode({ scheme: "grpc", address: "d:1" }), clock, buggy);
    expect(call(n, 1, { grpcStatus: 0 })).toBeUndefined();
    expect(n.stats().latencyMs).toBe(1);
    expect(emitted).toHaveBeenCalledTimes(1);
  });

  it("rejects a logger without warn at build time", () => {
    expect(() => ewma({ logger: {} as never })).toThrow(InvalidArgumentError);
    expect(() => ewma({ logger: 3 as never })).toThrow(/logger must be an object with a warn/);
  });
});
