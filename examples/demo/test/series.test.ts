import { describe, expect, it } from "vitest";
import { latencySummary, shareOverTime, windowFor } from "../src/series.mjs";

describe("latency percentiles and mean", () => {
  it("gives the nearest-rank p50, p95, p99 and the mean", () => {
    const latencies = Array.from({ length: 100 }, (_, i) => i + 1); // 1..100 ms, shuffled below
    latencies.reverse();
    expect(latencySummary(latencies)).toEqual({ p50: 50, p95: 95, p99: 99, mean: 50.5 });
  });

  it("shows a slow tenth in p95 and p99 but not in p50, and in the mean in proportion", () => {
    const latencies = [...new Array(90).fill(2), ...new Array(10).fill(40)];
    expect(latencySummary(latencies)).toEqual({ p50: 2, p95: 40, p99: 40, mean: 5.8 });
  });

  it("gives zeros for a run with no answered call", () => {
    expect(latencySummary([])).toEqual({ p50: 0, p95: 0, p99: 0, mean: 0 });
  });

  it("does not reorder the caller's array", () => {
    const latencies = [3, 1, 2];
    latencySummary(latencies);
    expect(latencies).toEqual([3, 1, 2]);
  });
});

describe("share of calls over time", () => {
  const ids = ["a", "b", "c"];

  it("splits each window's calls by the instance that answered, in the order of ids", () => {
    const calls = [
      { at: 0, id: "a" },
      { at: 10, id: "b" },
      { at: 60, id: "a" },
      { at: 99, id: "a" },
      { at: 120, id: "c" },
      { at: 180, id: "b" },
      { at: 290, id: "c" },
    ];
    expect(shareOverTime(calls, ids, { windowMs: 100 })).toEqual({
      windowMs: 100,
      windows: [
        { start: 0, calls: 4, shares: [0.75, 0.25, 0] },
        { start: 100, calls: 2, shares: [0, 0.5, 0.5] },
        { start: 200, calls: 1, shares: [0, 0, 1] },
      ],
    });
  });

  it("folds a last stretch shorter than half a window into the window before it", () => {
    const calls = [
      { at: 0, id: "a" },
      { at: 150, id: "b" },
      { at: 240, id: "c" }, // 2.4 windows: the last 40 ms belong to the second window
    ];
    const { windows } = shareOverTime(calls, ids, { windowMs: 100 });
    expect(windows.map((w) => w.calls)).toEqual([1, 2]);
    expect(windows[1]!.shares).toEqual([0, 0.5, 0.5]);
  });

  it("keeps an empty window (a pause) with zero shares, and leaves out unknown instances", () => {
    const calls = [
      { at: 0, id: "a" },
      { at: 250, id: "b" },
      { at: 260, id: "zz" },
    ];
    const { windows } = shareOverTime(calls, ids, { windowMs: 100 });
    expect(windows).toHaveLength(3);
    expect(windows[1]).toEqual({ start: 100, calls: 0, shares: [0, 0, 0] });
    expect(windows[2]).toEqual({ start: 200, calls: 1, shares: [0, 1, 0] });
  });

  it("gives no window for no call, and refuses a window that is not a positive length", () => {
    expect(shareOverTime([], ids, { windowMs: 100 }).windows).toEqual([]);
    expect(() => shareOverTime([], ids, { windowMs: 0 })).toThrow(/windowMs must be above 0, got 0/);
  });

  it("picks a round window that cuts a run into about 30", () => {
    expect(windowFor(3000)).toBe(100);
    expect(windowFor(3040)).toBe(100); // a run a little late keeps its 100 ms windows
    expect(windowFor(3700)).toBe(200);
    expect(windowFor(300)).toBe(10);
    expect(windowFor(6000)).toBe(200);
    expect(windowFor(60_000)).toBe(2000);
  });
});
