import { InvalidArgumentError, systemClock } from "@switchyard/api";
import { afterEach, describe, expect, it, vi } from "vitest";
import { checkBackoff, checkClock, checkLogger, createBackoff, DEFAULT_BACKOFF } from "../src/index.js";

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
