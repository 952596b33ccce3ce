import { describe, expect, it } from "vitest";
import { createFakeClock } from "../src/fake-clock.js";
import { makeNode, seededRandom } from "../src/fixtures.js";

describe("fake clock", () => {
  it("moves only when advanced, and fires due timers in order at their due time", () => {
    const clock = createFakeClock(100);
    const fired: string[] = [];
    clock.setTimeout(() => fired.push(`b@${clock.now()}`), 20);
    clock.setTimeout(() => fired.push(`a@${clock.now()}`), 10);
    clock.setTimeout(() => fired.push(`c@${clock.now()}`), 20);
    expect(clock.now()).toBe(100);
    clock.advance(15);
    expect(fired).toEqual(["a@110"]);
    expect(clock.now()).toBe(115);
    clock.advance(5);
    expect(fired).toEqual(["a@110", "b@120", "c@120"]);
    expect(clock.pendingTimers()).toBe(0);
  });

  it("fires timers scheduled by timers within the same advance", () => {
    const clock = createFakeClock();
    const fired: number[] = [];
    const tick = () => {
      fired.push(clock.now());
      if (fired.length < 3) clock.setTimeout(tick, 10);
    };
    clock.setTimeout(tick, 10);
    clock.advance(100);
    expect(fired).toEqual([10, 20, 30]);
  });

  it("does not fire cleared timers", () => {
    const clock = createFakeClock();
    let fired = false;
    const handle = clock.setTimeout(() => {
      fired = true;
    }, 5);
    clock.clearTimeout(handle);
    clock.advance(10);
    expect(fired).toBe(false);
  });

  it("lets promise continuations schedule timers during advanceAsync", async () => {
    const clock = createFakeClock();
    const fired: number[] = [];
    const loop = async () => {
      for (let i = 0; i < 3; i++) {
        await new Promise<void>((resolve) => clock.setTimeout(resolve, 100));
        fired.push(clock.now());
      }
    };
    const done = loop();
    await clock.advanceAsync(1000);
    await done;
    expect(fired).toEqual([100, 200, 300]);
  });

  it("refuses to go backwards", () => {
    expect(() => createFakeClock().advance(-1)).toThrow(RangeError);
  });
});

describe("fixtures", () => {
  it("makes frozen nodes with null-prototype metadata", () => {
    const node = makeNode({ address: "a:1", metadata: { zone: "eu" } });
    expect(Object.isFrozen(node)).toBe(true);
    expect(Object.getPrototypeOf(node.metadata)).toBeNull();
  });

  it("seededRandom is reproducible and in [0, 1)", () => {
    const a = seededRandom(3);
    const b = seededRandom(3);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(xs).toEqual(Array.from({ length: 1000 }, () => b()));
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
  });
});
