import { WatcherStoppedError } from "@switchyard/api";
import { flushMicrotasks } from "@switchyard/testkit";
import { describe, expect, it } from "vitest";
import { createMemoryRegistry } from "../src/index.js";
import { ids, instance, track } from "./helpers.js";

describe("memory registry: watchers", () => {
  it("gives several changes between two next() calls as one list, the latest", async () => {
    const registry = createMemoryRegistry();
    await registry.register(instance(1));
    const watcher = registry.watch("helloworld");
    expect(ids(await watcher.next())).toEqual(["helloworld-1"]);
    await registry.register(instance(2));
    await registry.register(instance(3));
    await registry.deregister(instance(1));
    expect(ids(await watcher.next())).toEqual(["helloworld-2", "helloworld-3"]);
    const idle = track(watcher.next());
    await flushMicrotasks();
    expect(idle.settled).toBe(false);
  });

  it("wakes a waiting next() once for changes made in one synchronous run", async () => {
    const registry = createMemoryRegistry();
    const watcher = registry.watch("helloworld");
    expect(await watcher.next()).toEqual([]);
    const woken = track(watcher.next());
    void registry.register(instance(1));
    void registry.register(instance(2));
    expect(woken.settled).toBe(false);
    await flushMicrotasks();
    expect(ids(woken.value!)).toEqual(["helloworld-1", "helloworld-2"]);
  });

  it("does not wake watchers when a change leaves the list equal", async () => {
    const registry = createMemoryRegistry();
    await registry.register(instance(1));
    await registry.register(instance(2));
    const watcher = registry.watch("helloworld");
    const first = await watcher.next();
    const woken = track(watcher.next());
    await registry.register(instance(1)); // same content again
    await registry.register(instance(2, { metadata: { zone: "zone-2" } })); // equal copy
    void registry.register(instance(3));
    void registry.deregister(instance(3)); // in and out before anyone looked
    void registry.deregister(instance(1));
    void registry.register(instance(1)); // back in, now last: same ids, same content
    await flushMicrotasks();
    expect(woken.settled).toBe(false);
    expect(await registry.getService("helloworld")).toBe(first);
    await registry.register(instance(2, { version: "2.0.0" }));
    await flushMicrotasks();
    expect(woken.value?.find((i) => i.id === "helloworld-2")?.version).toBe("2.0.0");
  });

  it("gives nothing new to a watcher whose list changed and came back while it was not waiting", async () => {
    const registry = createMemoryRegistry();
    await registry.register(instance(1));
    await registry.register(instance(2));
    const watcher = registry.watch("helloworld");
    await watcher.next();
    await registry.deregister(instance(1));
    await registry.register(instance(1));
    const woken = track(watcher.next());
    await flushMicrotasks();
    expect(woken.settled).toBe(false);
    await registry.deregister(instance(2));
    await flushMicrotasks();
    expect(ids(woken.value!)).toEqual(["helloworld-1"]);
  });

  it("resolves every next() waiting at once with the same list", async () => {
    const registry = createMemoryRegistry();
    const watcher = registry.watch("helloworld");
    await watcher.next();
    const [a, b] = [watcher.next(), watcher.next()];
    await registry.register(instance(1));
    const [listA, listB] = await Promise.all([a, b]);
    expect(listA).toBe(listB);
    expect(ids(listA)).toEqual(["helloworld-1"]);
  });

  it("keeps a watcher usable after a next() is aborted, and delivers the change it missed", async () => {
    const registry = createMemoryRegistry();
    const watcher = registry.watch("helloworld");
    await watcher.next();
    const controller = new AbortController();
    const aborted = watcher.next({ signal: controller.signal });
    controller.abort(new Error("caller timed out"));
    await expect(aborted).rejects.toThrow("caller timed out");
    await registry.register(instance(1));
    expect(ids(await watcher.next())).toEqual(["helloworld-1"]);
  });

  it("stops the watcher when the signal given to watch() is aborted, with the reason as cause", async () => {
    const registry = createMemoryRegistry();
    const controller = new AbortController();
    const watcher = registry.watch("helloworld", { signal: controller.signal });
    await watcher.next();
    const pending = watcher.next().catch((e: unknown) => e);
    const reason = new Error("shutting down");
    controller.abort(reason);
    const error = await pending;
    expect(error).toBeInstanceOf(WatcherStoppedError);
    expect((error as WatcherStoppedError).cause).toBe(reason);
    const already = registry.watch("helloworld", { signal: AbortSignal.abort(reason) });
    await expect(already.next()).rejects.toThrow(/because its watch signal was aborted/);
    expect(registry.services()).toEqual([]);
  });

  it("stops the watcher when a for await loop breaks out of it", async () => {
    const registry = createMemoryRegistry();
    await registry.register(instance(1));
    const watcher = registry.watch("helloworld");
    for await (const list of watcher) {
      expect(ids(list)).toEqual(["helloworld-1"]);
      break;
    }
    await expect(watcher.next()).rejects.toThrow(WatcherStoppedError);
  });

  it("follows changes in a for await loop until stopped from outside", async () => {
    const registry = createMemoryRegistry();
    const watcher = registry.watch("helloworld");
    const seen: string[][] = [];
    const loop = (async () => {
      for await (const list of watcher) {
        seen.push(ids(list));
        if (seen.length === 3) void watcher.stop();
        else await registry.register(instance(seen.length));
      }
    })();
    await expect(loop).resolves.toBeUndefined();
    expect(seen).toEqual([[], ["helloworld-1"], ["helloworld-1", "helloworld-2"]]);
  });

  it("says in the error which service the stopped watcher followed and what to do", async () => {
    const registry = createMemoryRegistry();
    const watcher = registry.watch("payments");
    await watcher.stop();
    await watcher.stop();
    await expect(watcher.next()).rejects.toThrow(
      'memory registry: the watcher of "payments" no longer yields because it was stopped; call watch() again',
    );
  });
});
