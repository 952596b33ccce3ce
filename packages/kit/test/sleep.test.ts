import { describe, expect, it } from "vitest";
import { WakeableSleep } from "../src/index.js";
import { ManualClock } from "./manual-clock.js";

const settled = async (promise: Promise<void>): Promise<boolean> => {
  let done = false;
  void promise.then(() => {
    done = true;
  });
  await Promise.resolve();
  await Promise.resolve();
  return done;
};

describe("WakeableSleep", () => {
  it("resolves after the time on the clock", async () => {
    const clock = new ManualClock();
    const pause = new WakeableSleep(clock);
    const slept = pause.sleep(500);
    clock.advance(499);
    expect(await settled(slept)).toBe(false);
    clock.advance(1);
    expect(await settled(slept)).toBe(true);
    expect(clock.pending).toBe(0);
  });

  it("resolves at once on wake(), leaving no timer behind", async () => {
    const clock = new ManualClock();
    const pause = new WakeableSleep(clock);
    const slept = pause.sleep(60_000);
    pause.wake();
    expect(await settled(slept)).toBe(true);
    expect(clock.pending).toBe(0);
  });

  it("does nothing on wake() with no wait under way", async () => {
    const clock = new ManualClock();
    const pause = new WakeableSleep(clock);
    expect(() => pause.wake()).not.toThrow();
    const slept = pause.sleep(100);
    expect(await settled(slept)).toBe(false);
    clock.advance(100);
    expect(await settled(slept)).toBe(true);
  });
});
