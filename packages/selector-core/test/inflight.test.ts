import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InflightTracker, MAX_TRACKED } from "../src/inflight.js";

describe("InflightTracker", () => {
  it("matches a plain list of start times under any order of completions", () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constant("add"), fc.nat(400)), { maxLength: 400 }), (ops) => {
        const tracker = new InflightTracker();
        const model: { ticket: number; start: number }[] = [];
        let time = 0;
        for (const op of ops) {
          if (op === "add") {
            time += 1;
            model.push({ ticket: tracker.add(time), start: time });
          } else if (model.length > 0) {
            const [entry] = model.splice(op % model.length, 1);
            tracker.remove(entry!.ticket);
          }
          expect(tracker.size).toBe(model.length);
        }
        for (const threshold of [0, 5, 50]) {
          const old = model.filter((e) => time + 1 - e.start > threshold);
          const got = tracker.older(time + 1, threshold);
          expect(got.count).toBe(old.length);
          expect(got.total).toBe(old.reduce((s, e) => s + (time + 1 - e.start), 0));
        }
      }),
    );
  });

  it("drops the oldest call from the statistics past MAX_TRACKED, and ignores its late removal", () => {
    const tracker = new InflightTracker();
    const tickets = Array.from({ length: MAX_TRACKED + 10 }, (_, i) => tracker.add(i));
    expect(tracker.size).toBe(MAX_TRACKED);
    tracker.remove(tickets[0]!); // dropped already: no effect
    expect(tracker.size).toBe(MAX_TRACKED);
    expect(tracker.older(1e9, 0).count).toBe(MAX_TRACKED);
  });

  it("does not grow while calls complete in order", () => {
    const tracker = new InflightTracker();
    for (let i = 0; i < 100_000; i++) tracker.remove(tracker.add(i));
    expect(tracker.size).toBe(0);
    expect((tracker as unknown as { ring: Float64Array }).ring.length).toBe(8);
  });
});
