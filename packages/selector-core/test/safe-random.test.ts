import { InvalidArgumentError } from "@switchyard/api";
import { WARNING_CODE } from "@switchyard/kit";
import { afterEach, describe, expect, it, vi } from "vitest";
import { safeRandom } from "../src/safe-random.js";

afterEach(() => {
  vi.restoreAllMocks();
});

describe("safeRandom", () => {
  it("passes draws in [0, 1) through untouched", () => {
    const draws = [0, 0.25, 0.999999];
    const random = safeRandom(() => draws.shift()!, "test");
    expect([random.next(), random.next(), random.next()]).toEqual([0, 0.25, 0.999999]);
  });

  it("keeps every draw in [0, 1): 1 or more just below 1, negatives 0, the rest from Math.random", () => {
    const emitted = vi.spyOn(process, "emitWarning").mockImplementation(() => {});
    vi.spyOn(Math, "random").mockReturnValue(0.5);
    const draws: (() => unknown)[] = [
      () => 1,
      () => Number.POSITIVE_INFINITY,
      () => -0.5,
      () => Number.NaN,
      () => "0.1",
      () => Object.create(null),
      () => {
        throw new Error("no entropy");
      },
    ];
    const random = safeRandom(() => draws.shift()!() as number, "p2c");
    const out = Array.from({ length: 7 }, () => random.next());
    expect(out.slice(0, 2).every((d) => d < 1 && d > 0.9999999)).toBe(true);
    expect(out.slice(2)).toEqual([0, 0.5, 0.5, 0.5, 0.5]);
    expect(emitted).toHaveBeenCalledTimes(1);
    expect(String(emitted.mock.calls[0]![0])).toMatch(
      /^p2c: the random source returned 1, not a number in \[0, 1\)/,
    );
    expect(emitted.mock.calls[0]![1]).toMatchObject({ code: WARNING_CODE });
  });

  it("defaults to Math.random and refuses a source that is not a function", () => {
    expect(safeRandom(undefined, "test").next()).toBeLessThan(1);
    expect(() => safeRandom(0.5 as never, "p2c")).toThrow(InvalidArgumentError);
    expect(() => safeRandom(0.5 as never, "p2c")).toThrow(/^p2c: random must be a function/);
  });
});
