import { inspect } from "node:util";
import { type ServiceInstance, WatcherStoppedError } from "@switchyard/api";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ListWatcher, pendingHolds } from "../src/index.js";

type List = readonly ServiceInstance[];

const instance = (n: number, version = "1.0.0"): ServiceInstance =>
  Object.freeze({
    id: `api-${n}`,
    name: "api",
    version,
    metadata: {},
    endpoints: [`http://10.0.0.${n}:8000`],
  });
const list = (...instances: ServiceInstance[]): List => Object.freeze(instances);
const ids = (l: List): string[] => l.map((i) => i.id);
const LABEL = 'test registry: the watcher of "api"';

/** Lets every queued promise callback run. */
const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function track<T>(promise: Promise<T>): { settled: boolean; value?: T; error?: unknown } {
  const state: { settled: boolean; value?: T; error?: unknown } = { settled: false };
  promise.then(
    (value) => Object.assign(state, { settled: true, value }),
    (error: unknown) => Object.assign(state, { settled: true, error }),
  );
  return state;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("ListWatcher: what next() gives", () => {
  it("waits for the first list, then gives each list that differs from the one last given", async () => {
    const watcher = new ListWatcher({ label: LABEL });
    const first = track(watcher.next());
    await flush();
    expect(first.settled).toBe(false);
    const one = list(instance(1));
    watcher.offer(one);
    await flush();
    expect(first.value).toBe(one);
    const second = track(watcher.next());
    watcher.offer(list(instance(1))); // an equal copy: no change
    await flush();
    expect(second.settled).toBe(false);
    watcher.offer(list(instance(1), instance(2)));
    await flush();
    expect(ids(second.value!)).toEqual(["api-1", "api-2"]);
  });

  it("gives a caller that was not waiting only the latest of several lists, and nothing for a change undone", async () => {
    const watcher = new ListWatcher({ label: LABEL });
    watcher.offer(list(instance(1)));
    await watcher.next();
    watcher.offer(list(instance(1), instance(2)));
    watcher.offer(list(instance(2)));
    expect(ids(await watcher.next())).toEqual(["api-2"]);
    watcher.offer(list(instance(2), instance(3)));
    watcher.offer(list(instance(2)));
    const idle = track(watcher.next());
    await flush();
    expect(idle.settled).toBe(false);
  });

  it("reads current() on every next(), so a change is seen before it is offered", async () => {
    let now = list(instance(1));
    const watcher = new ListWatcher({ label: LABEL, current: () => now });
    expect(await watcher.next()).toBe(now);
    now = list(instance(2));
    expect(await watcher.next()).toBe(now);
  });

  it("gives a list to every caller waiting at that moment, the same object to each", async () => {
    const watcher = new ListWatcher({ label: LABEL });
    watcher.offer(list());
    await watcher.next();
    const [a, b] = [watcher.next(), watcher.next()];
    const one = list(instance(1));
    watcher.offer(one);
    const [listA, listB] = await Promise.all([a, b]);
    expect(listA).toBe(one);
    expect(listB).toBe(one);
  });

  it("releases the callers already waiting when a later next() is the first to see a change", async () => {
    let now = list(instance(1));
    const watcher = new ListWatcher({ label: LABEL, current: () => now });
    await watcher.next();
    const early = track(watcher.next());
    await flush();
    now = list(instance(1), instance(2)); // changed, not offered yet (the registry batches)
    const late = await watcher.next();
    await flush();
    expect(early.value).toBe(late);
    watcher.offer(now); // the batched offer comes after: nothing new for anyone
    const idle = track(watcher.next());
    await flush();
    expect(idle.settled).toBe(false);
  });
});

describe("ListWatcher: signals and stopping", () => {
  it("rejects next() with its signal's reason, before or while it waits, and stays usable", async () => {
    const watcher = new ListWatcher({ label: LABEL });
    watcher.offer(list());
    await watcher.next();
    const early = new Error("gave up before");
    await expect(watcher.next({ signal: AbortSignal.abort(early) })).rejects.toBe(early);
    const controller = new AbortController();
    const during = watcher.next({ signal: controller.signal });
    const late = new Error("gave up while waiting");
    controller.abort(late);
    await expect(during).rejects.toBe(late);
    watcher.offer(list(instance(1)));
    expect(ids(await watcher.next())).toEqual(["api-1"]);
  });

  it("stops on stop(): onStop runs once before pending and later next() calls reject with why", async () => {
    const order: string[] = [];
    const onStop = vi.fn((error: WatcherStoppedError, _watcher: ListWatcher) => {
      order.push(`onStop: ${error.message}`);
    });
    const watcher = new ListWatcher({ label: LABEL, onStop });
    const pending = watcher.next().catch((error: Error) => order.push(`next: ${error.message}`));
    await watcher.stop();
    await watcher.stop();
    watcher.halt("the registry was closed");
    await pending;
    const message = `${LABEL} no longer yields because it was stopped; call watch() again to follow the service`;
    expect(order).toEqual([`onStop: ${message}`, `next: ${message}`]);
    expect(onStop).toHaveBeenCalledTimes(1);
    expect(onStop.mock.calls[0]![1]).toBe(watcher);
    const later = await watcher.next().catch((error: unknown) => error);
    expect(later).toBeInstanceOf(WatcherStoppedError);
    expect(watcher.isStopped).toBe(true);
    watcher.offer(list(instance(1))); // ignored
    await expect(watcher.next()).rejects.toThrow(WatcherStoppedError);
  });

  it("stops when its watch signal aborts, with the reason as cause, from the constructor when already aborted", async () => {
    const reason = new Error("shutting down");
    const controller = new AbortController();
    const watcher = new ListWatcher({ label: LABEL, signal: controller.signal });
    const pending = watcher.next().catch((error: unknown) => error);
    controller.abort(reason);
    const error = (await pending) as WatcherStoppedError;
    expect(error).toBeInstanceOf(WatcherStoppedError);
    expect(error.message).toMatch(/because its watch signal was aborted;/);
    expect(error.cause).toBe(reason);

    const onStop = vi.fn();
    const already = new ListWatcher({ label: LABEL, signal: AbortSignal.abort(reason), onStop });
    expect(already.isStopped).toBe(true);
    expect(onStop).toHaveBeenCalledTimes(1);
    await expect(already.next()).rejects.toMatchObject({ cause: reason });
  });

  it("reports an onStop that throws, and rejects the pending next() calls all the same", async () => {
    const emitted = vi.spyOn(process, "emitWarning").mockImplementation(() => {});
    const watcher = new ListWatcher({
      label: LABEL,
      onStop: () => {
        throw new Error("cleanup failed");
      },
    });
    const pending = watcher.next();
    await watcher.stop();
    await expect(pending).rejects.toThrow(WatcherStoppedError);
    expect(String(emitted.mock.calls[0]![0])).toMatch(
      /^test registry: the watcher of "api": stopping threw: cleanup failed/,
    );
  });

  it("ends a for await loop when stopped from outside, and stops when the loop breaks", async () => {
    const watcher = new ListWatcher({ label: LABEL });
    watcher.offer(list(instance(1)));
    const seen: string[][] = [];
    const loop = (async () => {
      for await (const l of watcher) {
        seen.push(ids(l));
        if (seen.length === 1) watcher.offer(list(instance(2)));
        else void watcher.stop();
      }
    })();
    await expect(loop).resolves.toBeUndefined();
    expect(seen).toEqual([["api-1"], ["api-2"]]);

    const other = new ListWatcher({ label: LABEL });
    other.offer(list(instance(1)));
    for await (const _ of other) break;
    expect(other.isStopped).toBe(true);
  });

  it("holds the process while a next() waits: one hold for many callers, let go when they settle or abort", async () => {
    const before = pendingHolds();
    const watcher = new ListWatcher({ label: LABEL });
    const [a, b] = [watcher.next(), watcher.next()];
    expect(pendingHolds()).toBe(before + 1);
    watcher.offer(list());
    await Promise.all([a, b]);
    expect(pendingHolds()).toBe(before);
    const controller = new AbortController();
    const aborted = watcher.next({ signal: controller.signal });
    expect(pendingHolds()).toBe(before + 1);
    controller.abort(new Error("enough"));
    await expect(aborted).rejects.toThrow("enough");
    expect(pendingHolds()).toBe(before);
    const stopped = watcher.next();
    await watcher.stop();
    await expect(stopped).rejects.toThrow(WatcherStoppedError);
    expect(pendingHolds()).toBe(before);
  });

  it("shows its label and state to console.log, not the lists or the registry's closures", () => {
    const watcher = new ListWatcher({ label: LABEL, current: () => list(instance(1)) });
    const shown = inspect(watcher, { depth: Number.POSITIVE_INFINITY, showHidden: true });
    expect(shown).toBe(`ListWatcher ${JSON.stringify(LABEL)} { stopped: false, waiting: 0 }`);
  });
});
