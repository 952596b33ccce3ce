import { InvalidArgumentError } from "@switchyard/api";
import { createFakeClock, flushMicrotasks } from "@switchyard/testkit";
import { describe, expect, it } from "vitest";
import { createMemoryRegistry } from "../src/index.js";
import { ids, instance, track } from "./helpers.js";

describe("memory registry: TTL expiry", () => {
  it("removes a silent instance exactly at the TTL, and watchers see it leave", async () => {
    const clock = createFakeClock();
    const registry = createMemoryRegistry({ ttlMs: 1000, clock });
    await registry.register(instance(1));
    await registry.register(instance(2), { ttlMs: Number.POSITIVE_INFINITY });
    const watcher = registry.watch("helloworld");
    await watcher.next();
    const left = track(watcher.next());
    await clock.advanceAsync(999);
    expect(left.settled).toBe(false);
    expect(ids(await registry.getService("helloworld"))).toEqual(["helloworld-1", "helloworld-2"]);
    await clock.advanceAsync(1);
    expect(ids(left.value!)).toEqual(["helloworld-2"]);
    expect(registry.heartbeat(instance(1))).toBe(false);
  });

  it("keeps an instance that heart-beats, and removes it one TTL after the last heartbeat", async () => {
    const clock = createFakeClock();
    const registry = createMemoryRegistry({ ttlMs: 1000, clock });
    await registry.register(instance(1));
    for (let i = 0; i < 5; i++) {
      await clock.advanceAsync(600);
      expect(registry.heartbeat(instance(1))).toBe(true);
    }
    expect(ids(await registry.getService("helloworld"))).toEqual(["helloworld-1"]); // t = 3000
    await clock.advanceAsync(999);
    expect(await registry.getService("helloworld")).toHaveLength(1);
    await clock.advanceAsync(1);
    expect(await registry.getService("helloworld")).toEqual([]);
    expect(registry.services()).toEqual([]);
  });

  it("renews the TTL when the instance is registered again", async () => {
    const clock = createFakeClock();
    const registry = createMemoryRegistry({ ttlMs: 1000, clock });
    await registry.register(instance(1));
    await clock.advanceAsync(800);
    await registry.register(instance(1));
    await clock.advanceAsync(800);
    expect(await registry.getService("helloworld")).toHaveLength(1);
    await clock.advanceAsync(200);
    expect(await registry.getService("helloworld")).toEqual([]);
    expect(clock.pendingTimers()).toBe(0);
  });

  it("lets a register call set its own TTL on a registry without one", async () => {
    const clock = createFakeClock();
    const registry = createMemoryRegistry({ clock });
    await registry.register(instance(1), { ttlMs: 50 });
    await registry.register(instance(2));
    expect(registry.heartbeat(instance(2))).toBe(true);
    await clock.advanceAsync(10_000);
    expect(ids(await registry.getService("helloworld"))).toEqual(["helloworld-2"]);
  });

  it("cancels the timer of an instance that is deregistered or replaced, and on close()", async () => {
    const clock = createFakeClock();
    const registry = createMemoryRegistry({ ttlMs: 1000, clock });
    await registry.register(instance(1));
    await registry.register(instance(1), { ttlMs: Number.POSITIVE_INFINITY });
    expect(clock.pendingTimers()).toBe(0);
    await registry.register(instance(2));
    await registry.deregister(instance(2));
    expect(clock.pendingTimers()).toBe(0);
    await registry.register(instance(3));
    await registry.close();
    expect(clock.pendingTimers()).toBe(0);
  });

  it("does not let an expired lease remove the instance registered after it", async () => {
    const clock = createFakeClock();
    const registry = createMemoryRegistry({ ttlMs: 1000, clock });
    await registry.register(instance(1));
    await clock.advanceAsync(1000);
    await registry.register(instance(1, { version: "2" }), { ttlMs: 5000 });
    await clock.advanceAsync(4999);
    await flushMicrotasks();
    expect((await registry.getService("helloworld"))[0]?.version).toBe("2");
  });

  it("refuses a TTL that is not a positive number of milliseconds", () => {
    for (const ttlMs of [0, -1, Number.NaN, "5s"]) {
      expect(() => createMemoryRegistry({ ttlMs: ttlMs as number })).toThrow(InvalidArgumentError);
    }
  });
});
