import { InvalidArgumentError } from "@switchyard/api";
import { describe, expect, it } from "vitest";
import { checkMs } from "../src/index.js";

const messageOf = (run: () => unknown): string => {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidArgumentError);
    return (error as Error).message;
  }
  throw new Error("expected a throw");
};

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
