import { InvalidArgumentError, systemClock } from "@switchyard/api";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  checkBackoff,
  checkClock,
  checkLogger,
  checkMs,
  createBackoff,
  DEFAULT_BACKOFF,
} from "../src/index.js";

afterEach(() => {
  vi.restoreAllMocks();
});

const messageOf = (run: () => unknown): string => {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidArgumentError);
    return (error as Error).message;
  }
  throw new Error("expected a throw");
};

describe("backoff", () => {
  it("uses one set of defaults: 1 s, ×1.6, 20 % jitter, 30 s cap", () => {
    expect(DEFAULT_BACKOFF).toEqual({ initialMs: 1000, maxMs: 30_000, multiplier: 1.6, jitter: 0.2 });
    const backoff = createBackoff({ random: () => 0 });
    expect([backoff.next(), backoff.next(), backoff.next()]).toEqual([1000, 1600, 2560]);
  });

  it("fills in the defaults and the component's own random source", () => {
    const random = () => 0.5;
    expect(checkBackoff(undefined, { where: "x", random })).toEqual({ ...DEFAULT_BACKOFF, random });
    const own = () => 0.1;
    expect(checkBackoff({ random: own, maxMs: 500 }, { where: "x", random }).random).toBe(own);
    expect(checkBackoff({ maxMs: 500 }, { where: "x" })).toMatchObject({ initialMs: 500, maxMs: 500 });
  });

  it.each([
    ["options that are not an object", 5, /^etcd: createEtcdRegistry: backoff must be an object/],
    ["a zero initialMs", { initialMs: 0 }, /backoff\.initialMs must be a positive number/],
    ["an infinite maxMs", { maxMs: Number.POSITIVE_INFINITY }, /backoff\.maxMs must be a positive number/],
    [
      "an initialMs above maxMs",
      { initialMs: 200, maxMs: 100 },
      /backoff\.initialMs \(200\) must not exceed backoff\.maxMs \(100\)/,
    ],
    ["a multiplier below 1", { multiplier: 0.9 }, /backoff\.multiplier must be a number ≥ 1, got 0\.9/],
    ["a NaN jitter", { jitter: Number.NaN }, /backoff\.jitter must be a fraction from 0 to 1, got NaN/],
    ["a random that is not a function", { random: 0.5 }, /backoff\.random must be a function/],
  ])("refuses %s, naming the call and the option", (_, options, message) => {
    expect(
      messageOf(() => checkBackoff(options, { where: "etcd: createEtcdRegistry", name: "backoff" })),
    ).toMatch(message);
  });

  it("repairs a bad draw and reports it once, naming the component", () => {
    const emitted = vi.spyOn(process, "emitWarning").mockImplementation(() => {});
    const backoff = createBackoff({ initialMs: 1000, multiplier: 1, random: () => 7 }, "consul: watch");
    expect(backoff.next()).toBeCloseTo(800, 9);
    expect(backoff.next()).toBeCloseTo(800, 9);
    expect(emitted).toHaveBeenCalledTimes(1);
    expect(String(emitted.mock.calls[0]![0])).toMatch(/^consul: watch: the random source returned 7/);
  });
});

describe("checkClock and checkLogger", () => {
  it("give the system clock and console when left out, and pass good ones through", () => {
    expect(checkClock(undefined, "x")).toBe(systemClock);
    expect(checkLogger(undefined, "x")).toBe(console);
    const clock = { now: () => 0, setTimeout: () => 0, clearTimeout: () => {} };
    const logger = { warn: () => {} };
    expect(checkClock(clock, "x")).toBe(clock);
    expect(checkLogger(logger, "x")).toBe(logger);
  });

  it("refuse a clock without timers and a logger without warn, saying what fits", () => {
    for (const clock of [null, {}, { now: () => 0 }, 5]) {
      expect(messageOf(() => checkClock(clock, "memory registry: createMemoryRegistry"))).toMatch(
        /^memory registry: createMemoryRegistry: clock must have now\(\), setTimeout\(\) and clearTimeout\(\); leave it out/,
      );
    }
    for (const logger of [null, {}, { debug: () => {} }, "console"]) {
      expect(messageOf(() => checkLogger(logger, "consul"))).toMatch(
        /^consul: logger must have a warn\(message, details\) method; console fits/,
      );
    }
  });
});

describe("checkMs", () => {
  it("gives the fallback when left out and passes a duration in range through", () => {
    expect(checkMs(undefined, { where: "x", name: "waitMs", fallback: 55_000, min: 1 })).toBe(55_000);
    expect(checkMs(1, { where: "x", name: "waitMs", fallback: 55_000, min: 1, max: 600_000 })).toBe(1);
    expect(checkMs(600_000, { where: "x", name: "waitMs", fallback: 0, min: 1, max: 600_000 })).toBe(600_000);
    expect(checkMs(0, { where: "x", name: "intervalMs", fallback: 1000, min: 0 })).toBe(0);
  });

  it("refuses what is not a finite number of milliseconds in range, naming the option and the range", () => {
    const bounded = { where: "consul", name: "waitMs", fallback: 55_000, min: 1, max: 600_000 };
    expect(messageOf(() => checkMs(0, bounded))).toBe(
      "consul: waitMs must be a number of milliseconds from 1 to 600000, got 0",
    );
    expect(messageOf(() => checkMs(600_001, bounded))).toBe(
      "consul: waitMs must be a number of milliseconds from 1 to 600000, got 600001",
    );
    const open = { where: "kubernetes", name: "requestTimeoutMs", fallback: 10_000, min: 1 };
    for (const [value, shown] of [
      [Number.NaN, "NaN"],
      [Infinity, "Infinity"],
      ["100", "100"],
      [null, "null"],
      [-5, "-5"],
    ] as const) {
      expect(messageOf(() => checkMs(value, open))).toBe(
        `kubernetes: requestTimeoutMs must be a number of milliseconds at least 1, got ${shown}`,
      );
    }
  });
});
