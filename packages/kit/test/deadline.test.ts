import { describe, expect, it } from "vitest";
import { RequestDeadline } from "../src/index.js";
import { ManualClock } from "./manual-clock.js";

describe("RequestDeadline", () => {
  it("aborts when the time runs out, and says so", () => {
    const clock = new ManualClock();
    const deadline = new RequestDeadline(clock, 1000);
    clock.advance(999);
    expect(deadline.signal.aborted).toBe(false);
    clock.advance(1);
    expect(deadline.signal.aborted).toBe(true);
    expect((deadline.signal.reason as Error).message).toBe("timed out");
    expect(deadline.timedOut).toBe(true);
  });

  it("aborts with the caller's reason when the caller aborts, which is no timeout", () => {
    const clock = new ManualClock();
    const caller = new AbortController();
    const deadline = new RequestDeadline(clock, 1000, caller.signal);
    const reason = new Error("user gave up");
    caller.abort(reason);
    expect(deadline.signal.aborted).toBe(true);
    expect(deadline.signal.reason).toBe(reason);
    expect(deadline.timedOut).toBe(false);
  });

  it("leaves no timer and no listener behind once done, and done twice is harmless", () => {
    const clock = new ManualClock();
    const caller = new AbortController();
    const deadline = new RequestDeadline(clock, 1000, caller.signal);
    expect(clock.pending).toBe(1);
    deadline.done();
    deadline.done();
    expect(clock.pending).toBe(0);
    caller.abort(new Error("later"));
    clock.advance(5000);
    expect(deadline.signal.aborted).toBe(false);
    expect(deadline.timedOut).toBe(false);
  });
});
