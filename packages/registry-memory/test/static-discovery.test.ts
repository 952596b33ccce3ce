import { InvalidArgumentError, type ServiceInstance, WatcherStoppedError } from "@switchyard/api";
import { flushMicrotasks } from "@switchyard/testkit";
import { describe, expect, it } from "vitest";
import { createStaticDiscovery } from "../src/index.js";
import { ids, instance, track } from "./helpers.js";

describe("static discovery", () => {
  const list = [instance(1), instance(2), instance(1, {}, "other")];

  it("answers getService with the instances of that service, frozen, and [] for others", async () => {
    const discovery = createStaticDiscovery(list);
    const found = await discovery.getService("helloworld");
    expect(ids(found)).toEqual(["helloworld-1", "helloworld-2"]);
    expect(Object.isFrozen(found) && Object.isFrozen(found[0])).toBe(true);
    expect(Object.getPrototypeOf(found[0]!.metadata)).toBeNull();
    expect(ids(await discovery.getService("other"))).toEqual(["other-1"]);
    expect(await discovery.getService("missing")).toEqual([]);
  });

  it("yields the list once, then waits until the watcher is stopped", async () => {
    const watcher = createStaticDiscovery(list).watch("helloworld");
    expect(ids(await watcher.next())).toEqual(["helloworld-1", "helloworld-2"]);
    const waiting = track(watcher.next());
    await flushMicrotasks();
    expect(waiting.settled).toBe(false);
    await watcher.stop();
    await flushMicrotasks();
    expect(waiting.error).toBeInstanceOf(WatcherStoppedError);
    await expect(watcher.next()).rejects.toThrow(WatcherStoppedError);
  });

  it("is not affected by later changes to the array it was given", async () => {
    const mine = [instance(1)];
    const discovery = createStaticDiscovery(mine);
    mine.push(instance(2));
    expect(ids(await discovery.getService("helloworld"))).toEqual(["helloworld-1"]);
  });

  it("refuses an invalid instance, naming its index", () => {
    const bad = [instance(1), instance(2, { endpoints: ["not a url"] })];
    expect(() => createStaticDiscovery(bad)).toThrow(
      /^static discovery: instances\[1\]\.endpoints\[0\] "not a url" is not a URL/,
    );
    expect(() => createStaticDiscovery("x" as unknown as ServiceInstance[])).toThrow(InvalidArgumentError);
  });

  it("refuses two instances of one service with the same id", () => {
    expect(() => createStaticDiscovery([instance(1), instance(1, { version: "2" })])).toThrow(
      /instances\[1\] repeats id "helloworld-1" of service "helloworld"/,
    );
    expect(() => createStaticDiscovery([instance(1), { ...instance(1), name: "other" }])).not.toThrow();
  });

  // A some() per instance made 100,000 instances take about a minute, past the test timeout; a
  // linear build takes a fraction of a second.
  const numbered = (n: number): ServiceInstance => instance(n, { endpoints: [`http://host-${n}:8000`] });
  it("takes 100,000 instances of one service in one linear pass", async () => {
    const many = Array.from({ length: 100_000 }, (_, n) => numbered(n));
    const found = await createStaticDiscovery(many).getService("helloworld");
    expect(found).toHaveLength(100_000);
    expect(found[99_999]!.id).toBe("helloworld-99999");
  });

  it("still finds a repeated id at the end of 100,000 instances", () => {
    const many = Array.from({ length: 100_000 }, (_, n) => numbered(n));
    many.push(numbered(0));
    expect(() => createStaticDiscovery(many)).toThrow(
      /instances\[100000\] repeats id "helloworld-0" of service "helloworld"/,
    );
  });
});
