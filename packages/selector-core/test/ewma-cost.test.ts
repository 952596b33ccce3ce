import { InvalidArgumentError, type WeightedNode } from "@switchyard/api";
import { createFakeClock, type FakeClock } from "@switchyard/testkit";
import { beforeEach, describe, expect, it } from "vitest";
import { EWMA_TAU_MS, type EwmaNode, ewma } from "../src/ewma.js";
import {
  ewmaCost,
  KRATOS_COST,
  LINEAR_COST,
  LINEAR_IDLE_DECAY_MIN_SUCCESS,
  LINEAR_MIN_SAMPLE_WEIGHT,
  LINEAR_OFFSET_MS,
  LINEAR_PENALTY_MS,
} from "../src/ewma-cost.js";
import { createNode } from "../src/node.js";

const node = createNode({ scheme: "http", address: "10.0.0.1:80", serviceName: "helloworld" });
const other = createNode({ scheme: "http", address: "10.0.0.2:80", serviceName: "helloworld" });
const refused = { error: Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }) };

/** The linear cost's weight from a latency (ms), success (per mille) and in-flight count (+1 included). */
const linearWeight = (latencyMs: number, success: number, inflight: number) => {
  const rate = success / 1000;
  const squared = rate * rate;
  return (squared * squared * 1e6) / ((latencyMs + LINEAR_OFFSET_MS) * inflight);
};
/** Kratos's weight, same arguments. */
const kratosWeight = (latencyMs: number, success: number, inflight: number) =>
  (success * 1e9) / (Math.trunc(Math.sqrt(latencyMs * 1e6 + 5e6)) * inflight);

let clock: FakeClock;
let n: EwmaNode;

/** Picks at the current time, advances `ms`, completes with `info`. */
function call(target: WeightedNode, ms: number, info?: object): void {
  const done = target.pick();
  clock.advance(ms);
  done(info);
}

/** `count` calls picked together that all complete `ms` later, in the same instant. */
function burst(target: WeightedNode, count: number, ms: number, info?: object): void {
  const dones = Array.from({ length: count }, () => target.pick());
  clock.advance(ms);
  for (const done of dones) done(info);
}

beforeEach(() => {
  clock = createFakeClock(1_000);
  n = ewma({ clock, cost: "linear" }).build(node) as EwmaNode;
});

describe("ewma linear cost", () => {
  it("weighs (success/1000)⁴ × 1e6 / ((latency + 5 ms) × (in flight + 1))", () => {
    call(n, 40);
    expect(n.weight()).toBe(linearWeight(40, 1000, 1));
    n.pick();
    n.pick();
    clock.advance(10);
    expect(n.weight()).toBe(linearWeight(40, 1000, 3));
  });

  it("prices a node without a sample as if its calls took 1 s, per call in flight", () => {
    expect(n.weight()).toBe(1e6 / LINEAR_PENALTY_MS);
    n.pick();
    clock.advance(10);
    expect(n.weight()).toBe(1e6 / (LINEAR_PENALTY_MS * 2));
  });

  it("counts latency in full: a node 10× slower weighs (10 + 5)/(100 + 5) of a fast one", () => {
    const slow = ewma({ clock, cost: "linear" }).build(other);
    const fast = n;
    const a = fast.pick();
    const b = slow.pick();
    clock.advance(10);
    a();
    clock.advance(90);
    b();
    // One call in flight on each: busy nodes are weighed by their averages as they stand.
    fast.pick();
    slow.pick();
    clock.advance(10);
    expect(slow.weight() / fast.weight()).toBeCloseTo(15 / 105, 12);
    // Kratos's square root makes the same node look only 2.6× worse.
    expect(kratosWeight(100, 1000, 1) / kratosWeight(10, 1000, 1)).toBeCloseTo(0.378, 3);
  });

  it("lets a burst of fast failures count: every completion moves success by at least a tenth", () => {
    for (let i = 0; i < 20; i++) {
      clock.advance(90);
      call(n, 10);
    }
    expect(n.stats().success).toBeCloseTo(1000, 9);
    burst(n, 10, 0.5, refused); // a crashed node refuses 10 calls within half a millisecond
    const keep = 1 - LINEAR_MIN_SAMPLE_WEIGHT;
    expect(n.stats().success).toBeCloseTo(1000 * keep ** 10, 6);
    clock.advance(10);
    const { success, latencyMs } = n.stats();
    expect(n.weight()).toBe(linearWeight(latencyMs!, success, 1));
    // (0.9¹⁰)⁴ ≈ 1.5%: even with its fast refusals, a healthy 10 ms peer outweighs it over 30×.
    expect(linearWeight(10, 1000, 1) / n.weight()).toBeGreaterThan(30);
  });

  it("while Kratos's time-only decay lets the same burst barely move success", () => {
    const k = ewma({ clock, cost: "kratos" }).build(other) as EwmaNode;
    for (let i = 0; i < 20; i++) {
      clock.advance(90);
      call(k, 10);
    }
    burst(k, 10, 0.5, refused);
    expect(k.stats().success).toBeGreaterThan(990);
  });

  it("moves success 0.1 for a failure in the same instant as the previous completion; latency as Kratos", () => {
    call(n, 10); // first sample: lag = 10, success = 1000
    const a = n.pick();
    const b = n.pick();
    clock.advance(50);
    a({ httpStatus: 503 }); // Δt = 50 ms: exp(-50/600) ≈ 0.92, capped at 0.9 for success
    b({ httpStatus: 503 }); // Δt = 0: success keeps 0.9, not 1; latency keeps 1, as in Kratos
    expect(n.stats().success).toBeCloseTo(1000 * 0.9 * 0.9, 9);
    const w = Math.exp(-50 / EWMA_TAU_MS);
    expect(n.stats().latencyMs).toBeCloseTo(10 * w + 50 * (1 - w), 12);
  });

  it("takes no latency from a failure that came back faster than the average (a 503 or 429 shed in 1 ms)", () => {
    for (let i = 0; i < 5; i++) call(n, 20);
    const before = n.stats().latencyMs!;
    for (const status of [503, 429]) {
      clock.advance(100);
      call(n, 1, { httpStatus: status });
      expect(n.stats().latencyMs).toBe(before);
    }
    // A failure slower than the average (a call that hung to its deadline) counts in full.
    clock.advance(100);
    call(n, 1000, { error: new DOMException("deadline", "TimeoutError") });
    expect(n.stats().latencyMs).toBeGreaterThan(before * 2);
  });

  it("while Kratos's cost counts a fast failure's latency like any other", () => {
    const k = ewma({ clock, cost: "kratos" }).build(other) as EwmaNode;
    for (let i = 0; i < 5; i++) call(k, 20);
    const before = k.stats().latencyMs!;
    clock.advance(100);
    call(k, 1, { httpStatus: 503 });
    expect(k.stats().latencyMs).toBeLessThan(before);
  });

  it("decays by time after a quiet spell: one good call after 3 s brings a failed node back", () => {
    call(n, 5, refused);
    expect(n.stats().success).toBe(0); // the very first sample replaces the initial values
    clock.advance(3000);
    call(n, 10);
    const keep = Math.exp(-3010 / EWMA_TAU_MS);
    expect(n.stats().success).toBeCloseTo(1000 * (1 - keep), 9);
    expect(n.stats().success).toBeGreaterThan(990);
  });

  it("keeps about 0.8⁴ of the weight for a node failing one call in five", () => {
    for (let i = 0; i < 200; i++) {
      call(n, 10, i % 5 === 4 ? { httpStatus: 503 } : undefined);
      clock.advance(10);
    }
    clock.advance(10);
    const { success, latencyMs } = n.stats();
    expect(n.weight()).toBe(linearWeight(latencyMs!, success, 1));
    // The average sits near 800 (it swings with the phase of the failures).
    expect(success).toBeGreaterThan(650);
    expect(success).toBeLessThan(900);
  });

  it("raises latency to the mean age of stuck calls, as Kratos's cost does", () => {
    call(n, 10);
    for (let i = 0; i < 4; i++) n.pick();
    clock.advance(100);
    expect(n.weight()).toBe(linearWeight(100, 1000, 5));
    expect(n.stats().predictedMs).toBe(100);
  });

  it("fades the latency of an idle node towards zero: × exp(-t/τ), t since its last completion", () => {
    call(n, 26); // one slow call (a connection set-up), then nothing
    const completed = clock.now();
    for (const idle of [600, 1200, 3000]) {
      clock.advance(completed + idle - clock.now());
      expect(n.weight()).toBe(linearWeight(26 * Math.exp(-idle / EWMA_TAU_MS), 1000, 1));
    }
    expect(n.stats().latencyMs).toBe(26); // the average itself moves only at completions
    // After 3 s a 26 ms sample weighs less than a 1 ms one seen 1 ms ago.
    expect(n.weight()).toBeGreaterThan(linearWeight(1, 1000, 1));
  });

  it("does not fade while a call is in flight: the call will report, and stuck calls raise the latency", () => {
    call(n, 26);
    n.pick();
    clock.advance(600);
    expect(n.weight()).toBe(linearWeight(26, 1000, 2));
  });

  it("does not fade the latency of a node failing more than one call in twenty", () => {
    call(n, 10);
    call(n, 10, { httpStatus: 503 }); // success keeps at most 0.9 of itself
    const { success, latencyMs } = n.stats();
    expect(success).toBeLessThan(LINEAR_IDLE_DECAY_MIN_SUCCESS);
    clock.advance(600);
    expect(n.weight()).toBe(linearWeight(latencyMs!, success, 1));
  });

  it("keeps its cost when rebuilt for a new version of the same node", () => {
    const builder = ewma({ clock, cost: "linear" });
    const first = builder.build(node);
    call(first, 30);
    const second = builder.build(
      createNode({ scheme: "http", address: "10.0.0.1:80", version: "2.0.0" }),
      first,
    );
    expect(second).toBe(first);
    clock.advance(10);
    expect(second.weight()).toBe(linearWeight(30 * Math.exp(-10 / EWMA_TAU_MS), 1000, 1));
  });
});

describe("ewma cost option", () => {
  it('keeps Kratos\'s formula one option away: cost "kratos"', () => {
    const k = ewma({ clock, cost: "kratos" }).build(other) as EwmaNode;
    expect(k.weight()).toBe((1000 * 1e9) / 1e5);
    call(k, 40);
    clock.advance(10);
    expect(k.weight()).toBe(kratosWeight(40, 1000, 1));
    clock.advance(290);
    call(k, 100);
    const w = Math.exp(-400 / EWMA_TAU_MS); // Δt since the previous completion (t = 1040 → 1440)
    expect(k.stats().latencyMs).toBeCloseTo(40 * w + 100 * (1 - w), 9);
  });

  it("keeps Kratos's stale comparison: an idle node's latency does not fade", () => {
    const k = ewma({ clock, cost: "kratos" }).build(other) as EwmaNode;
    call(k, 26);
    clock.advance(3000);
    expect(k.weight()).toBe(kratosWeight(26, 1000, 1));
  });

  it("names both costs; an unknown one is refused with the choices", () => {
    expect(ewmaCost("kratos")).toBe(KRATOS_COST);
    expect(ewmaCost("linear")).toBe(LINEAR_COST);
    expect(LINEAR_COST.successKeepMax).toBe(0.9);
    expect(KRATOS_COST.successKeepMax).toBe(1);
    expect(KRATOS_COST.idleDecayMinSuccess).toBe(Number.POSITIVE_INFINITY);
    expect(() => ewma({ cost: "peak" as never })).toThrow(InvalidArgumentError);
    expect(() => ewma({ cost: "peak" as never })).toThrow(/expected "kratos" or "linear"/);
  });
});
