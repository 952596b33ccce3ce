import { InvalidArgumentError, type WeightedNode } from "@switchyard/api";
import { createFakeClock, type FakeClock } from "@switchyard/testkit";
import { beforeEach, describe, expect, it } from "vitest";
import { EWMA_PENALTY, EWMA_TAU_MS, type EwmaNode, ewma } from "../src/ewma.js";
import { createNode } from "../src/node.js";

const node = createNode({ scheme: "http", address: "10.0.0.1:80", serviceName: "helloworld" });
let clock: FakeClock;
let n: EwmaNode;

/** Kratos's weight from a latency (ms), success (per mille) and in-flight count (+1 included). */
const kratosWeight = (latencyMs: number, success: number, inflight: number) =>
  (success * 1e9) / (Math.trunc(Math.sqrt(latencyMs * 1e6 + 5e6)) * inflight);

/** Picks at the current time, advances `ms`, completes with `info`. */
function call(target: WeightedNode, ms: number, info?: object): void {
  const done = target.pick();
  clock.advance(ms);
  done(info);
}

beforeEach(() => {
  clock = createFakeClock(1_000);
  n = ewma({ clock, cost: "kratos" }).build(node) as EwmaNode;
});

// These tests pin Kratos's exact behaviour, one option away from the default cost.
describe("ewma node, Kratos's cost", () => {
  it("starts with success 1000, one in flight, no latency sample: weight = 1000e9 / penalty", () => {
    expect(n.stats()).toEqual({ latencyMs: undefined, success: 1000, inflight: 0, predictedMs: 0 });
    expect(n.weight()).toBe((1000 * 1e9) / EWMA_PENALTY);
  });

  it("without a sample, the penalty is paid per call in flight", () => {
    n.pick();
    n.pick();
    expect(n.weight()).toBe((1000 * 1e9) / (EWMA_PENALTY * 3));
  });

  it("replaces the initial values with the very first sample", () => {
    clock.advance(60_000); // a long idle time must not matter for the first sample
    call(n, 40);
    expect(n.stats().latencyMs).toBe(40);
    expect(n.stats().success).toBe(1000);
    clock.advance(10);
    expect(n.weight()).toBe(kratosWeight(40, 1000, 1));
  });

  it("decays the old average by exp(-Δt/τ), Δt being the time since the previous completion", () => {
    call(n, 10); // lag 10 at t=1010
    clock.advance(290);
    call(n, 100); // completes at t=1400, Δt = 390
    const w = Math.exp(-390 / EWMA_TAU_MS);
    expect(n.stats().latencyMs).toBeCloseTo(10 * w + 100 * (1 - w), 9);
  });

  it("a first failing call drops success to 0; later failures decay it", () => {
    call(n, 5, { httpStatus: 503 });
    expect(n.stats().success).toBe(0);
    clock.advance(5);
    expect(n.weight()).toBe(0);

    const m = ewma({ clock, cost: "kratos" }).build(
      createNode({ scheme: "http", address: "b:1" }),
    ) as EwmaNode;
    call(m, 5);
    clock.advance(95);
    call(m, 5, { error: Object.assign(new Error("refused"), { code: "ECONNREFUSED" }) });
    expect(m.stats().success).toBeCloseTo(1000 * Math.exp(-100 / EWMA_TAU_MS), 9);
  });

  it.each([
    ["HTTP 503", { httpStatus: 503 }],
    ["HTTP 504", { httpStatus: 504 }],
    ["gRPC UNAVAILABLE", { grpcStatus: 14 }],
    ["gRPC DEADLINE_EXCEEDED", { grpcStatus: 4 }],
    ["a cancellation", { error: new DOMException("aborted", "AbortError") }],
    ["a connection reset", { error: Object.assign(new Error("reset"), { code: "ECONNRESET" }) }],
  ])("counts %s as a failure", (_, info) => {
    call(n, 5);
    clock.advance(100);
    call(n, 5, info);
    expect(n.stats().success).toBeLessThan(1000);
  });

  it.each([
    ["HTTP 404", { httpStatus: 404 }],
    ["HTTP 500", { httpStatus: 500 }],
    ["an application error", { error: new Error("bad request") }],
  ])("does not count %s as a failure", (_, info) => {
    call(n, 5);
    clock.advance(100);
    call(n, 5, info);
    expect(n.stats().success).toBe(1000);
  });

  it("adds failures from the user's predicate, which cannot remove built-in ones", () => {
    const custom = ewma({ clock, cost: "kratos", isFailure: (info) => info.httpStatus === 429 || false });
    const a = custom.build(createNode({ scheme: "http", address: "a:1" })) as EwmaNode;
    call(a, 5, { httpStatus: 429 });
    expect(a.stats().success).toBe(0);
    const never = ewma({ clock, cost: "kratos", isFailure: () => false }).build(
      createNode({ scheme: "http", address: "b:1" }),
    );
    call(never, 5, { httpStatus: 503 });
    expect((never as EwmaNode).stats().success).toBe(0);
  });

  it("recomputes the weight at most every 5 ms", () => {
    call(n, 10);
    clock.advance(10);
    const before = n.weight();
    n.pick(); // one more in flight changes the load...
    clock.advance(4);
    expect(n.weight()).toBe(before); // ...but not within 5 ms of the last computation
    clock.advance(2);
    expect(n.weight()).toBeLessThan(before);
  });

  it("raises latency to the mean age of in-flight calls when most of them are older than the average", () => {
    call(n, 10); // lag = 10 ms
    for (let i = 0; i < 4; i++) n.pick(); // four calls stuck in flight
    clock.advance(100);
    const weight = n.weight();
    expect(n.stats().predictedMs).toBe(100);
    expect(weight).toBe(kratosWeight(100, 1000, 5));
  });

  it("does not predict when at most half (plus one) of the in-flight calls are old", () => {
    call(n, 10);
    n.pick();
    n.pick();
    n.pick(); // 3 old calls
    clock.advance(100);
    n.pick();
    n.pick();
    n.pick(); // 3 young ones: 3 > 6/2 + 1 is false
    clock.advance(1);
    n.weight();
    expect(n.stats().predictedMs).toBe(0);
  });

  it("reads its own clock only when no time is passed in", () => {
    call(n, 10);
    expect(n.pickElapsed()).toBe(10);
    expect(n.pickElapsed(clock.now() + 250)).toBe(260);
    expect(
      ewma({ clock, cost: "kratos" })
        .build(createNode({ scheme: "h", address: "c:1" }))
        .pickElapsed(),
    ).toBe(Number.POSITIVE_INFINITY);
  });

  it("ignores a second done call", () => {
    const done = n.pick();
    n.pick();
    clock.advance(10);
    done();
    done({ httpStatus: 503 });
    expect(n.stats().inflight).toBe(1);
    expect(n.stats().success).toBe(1000);
  });

  it("keeps its statistics when rebuilt for a new version of the same node", () => {
    const builder = ewma({ clock, cost: "kratos" });
    const first = builder.build(node) as EwmaNode;
    call(first, 30);
    const updated = createNode({
      scheme: "http",
      address: "10.0.0.1:80",
      version: "2.0.0",
      initialWeight: 7,
    });
    const second = builder.build(updated, first) as EwmaNode;
    expect(second).toBe(first);
    expect(second.raw).toBe(updated);
    expect([second.version, second.initialWeight]).toEqual(["2.0.0", 7]);
    expect(second.stats().latencyMs).toBe(30);
  });

  it("keeps counting calls in flight beyond what it tracks for prediction", () => {
    const dones = Array.from({ length: 5000 }, () => n.pick());
    expect(n.stats().inflight).toBe(5000);
    clock.advance(10);
    for (const done of dones) done();
    expect(n.stats().inflight).toBe(0);
  });

  it("rejects bad options", () => {
    expect(() => ewma({ cost: "fancy" as never })).toThrow(InvalidArgumentError);
    expect(() => ewma({ isFailure: 3 as never })).toThrow(InvalidArgumentError);
  });

  it("learns nothing from a call that never reached the node, and no latency from a refused one", () => {
    call(n, 20);
    clock.advance(100);
    const before = n.stats();
    call(n, 5000, { bytesSent: false }); // dropped before it was sent: only released
    expect(n.stats()).toEqual(before);
    clock.advance(100);
    call(n, 1, { bytesSent: false, error: Object.assign(new Error("refused"), { code: "ECONNREFUSED" }) });
    expect(n.stats().latencyMs).toBe(before.latencyMs);
    expect(n.stats().success).toBeLessThan(1000);
  });
});
