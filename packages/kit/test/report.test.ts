import { afterEach, describe, expect, it, vi } from "vitest";
import { debugSafely, errorMessage, ThrottledReport, WARNING_CODE, warnSafely } from "../src/index.js";

afterEach(() => {
  vi.restoreAllMocks();
});

describe("warnSafely", () => {
  it("hands the message and details to the logger", () => {
    const warn = vi.fn();
    warnSafely({ warn }, "resolver: something", { service: "a" });
    expect(warn).toHaveBeenCalledWith("resolver: something", { service: "a" });
  });

  it("sends the report to process.emitWarning when the logger throws, and does not throw", () => {
    const emitted = vi.spyOn(process, "emitWarning").mockImplementation(() => {});
    const logger = {
      warn() {
        throw new Error("disk full");
      },
    };
    expect(() => warnSafely(logger, "resolver: refused", { error: new Error("bad list") })).not.toThrow();
    expect(emitted).toHaveBeenCalledTimes(1);
    const [message, options] = emitted.mock.calls[0]! as [string, { code: string; detail: string }];
    expect(message).toContain("resolver: refused");
    expect(message).toContain("disk full");
    expect(options.code).toBe(WARNING_CODE);
    expect(options.detail).toBe("bad list");
  });

  it("uses process.emitWarning when there is no logger", () => {
    const emitted = vi.spyOn(process, "emitWarning").mockImplementation(() => {});
    warnSafely(undefined, "p2c: isFailure threw");
    expect(emitted).toHaveBeenCalledWith("p2c: isFailure threw", { code: WARNING_CODE, detail: undefined });
  });

  it("survives emitWarning itself throwing", () => {
    vi.spyOn(process, "emitWarning").mockImplementation(() => {
      throw new Error("no");
    });
    expect(() => warnSafely(undefined, "x")).not.toThrow();
  });
});

describe("debugSafely", () => {
  it("ignores a logger without debug and a debug that throws", () => {
    expect(() => debugSafely({ warn() {} }, "x")).not.toThrow();
    const logger = {
      warn() {},
      debug() {
        throw new Error("nope");
      },
    };
    expect(() => debugSafely(logger, "x")).not.toThrow();
  });
});

describe("errorMessage", () => {
  it("reads errors and stringifies anything else, even what cannot be stringified", () => {
    expect(errorMessage(new TypeError("boom"))).toBe("boom");
    expect(errorMessage(14)).toBe("14");
    const hostile = {
      toString() {
        throw new Error("no");
      },
    };
    expect(errorMessage(hostile)).toBe("[object Object]");
  });
});

describe("ThrottledReport", () => {
  it("reports the first occurrence, then at most once an interval, counting the ones in between", () => {
    let now = 0;
    const warn = vi.fn();
    const reports = new ThrottledReport({ warn }, { now: () => now }, 60_000);
    const message = (since: string) => `it failed${since}`;
    reports.report("failure", message, { error: "a" });
    now = 59_999;
    reports.report("failure", message, { error: "b" });
    reports.report("failure", message, { error: "c" });
    expect(warn).toHaveBeenCalledTimes(1);
    now = 60_000;
    reports.report("failure", message, { error: "d" });
    now = 120_000;
    reports.report("failure", message, { error: "e" });
    expect(warn.mock.calls).toEqual([
      ["it failed", { error: "a", unreported: 0 }],
      ["it failed (2 more failures since the last report)", { error: "d", unreported: 2 }],
      ["it failed", { error: "e", unreported: 0 }],
    ]);
  });

  it("falls back to process.emitWarning when the logger throws, and keeps throttling", () => {
    const emitted = vi.spyOn(process, "emitWarning").mockImplementation(() => {});
    const reports = new ThrottledReport(
      {
        warn: () => {
          throw new Error("logger down");
        },
      },
      { now: () => 0 },
      1000,
    );
    reports.report("throw", (since) => `x${since}`, {});
    reports.report("throw", (since) => `x${since}`, {});
    expect(emitted).toHaveBeenCalledTimes(1);
    emitted.mockRestore();
  });
});
