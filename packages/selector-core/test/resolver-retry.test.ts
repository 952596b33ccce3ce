import { InvalidArgumentError, RegistryError, WatcherStoppedError } from "@switchyard/api";
import { flushMicrotasks } from "@switchyard/testkit";
import { describe, expect, it, vi } from "vitest";
import { createBackoff, DEFAULT_BACKOFF } from "../src/backoff.js";
import { ResolverClosedError, ResolveTimeoutError } from "../src/resolver-api.js";
import { harness, httpInstances } from "./resolver-fakes.js";

const gaps = (times: readonly number[]) => times.slice(1).map((t, i) => t - times[i]!);

describe("createResolver: retries", () => {
  it("re-creates a failed watch after a jittered backoff while the last good list keeps serving", async () => {
    const h = harness({ backoff: { initialMs: 1000, jitter: 0.2, random: () => 0.5 } });
    const w = await h.started();
    w.push(httpInstances(2));
    await flushMicrotasks();
    const good = h.resolver.current();
    const down = new RegistryError("registry unreachable");
    w.fail(down);
    await flushMicrotasks();
    expect(h.errors).toEqual([down]);
    expect(w.stopCalls).toBe(1);
    expect(h.resolver.current()).toBe(good);
    const [warning] = h.logger.matching("registry unreachable");
    expect(warning).toContain("retrying in 900 ms");
    expect(warning).toContain("the last 2 node(s) keep serving");
    await h.clock.advanceAsync(899);
    expect(h.discovery.watchers).toHaveLength(1);
    await h.clock.advanceAsync(1);
    expect(h.discovery.watchers).toHaveLength(2);
    h.discovery.latest.push(httpInstances(3));
    await flushMicrotasks();
    expect(h.addresses()).toHaveLength(3);
  });

  it("grows the delay by the multiplier up to the cap while the watch keeps failing", async () => {
    const h = harness({ backoff: { initialMs: 100, maxMs: 1000, multiplier: 2, jitter: 0 } }, (d) => {
      d.onWatch = (watcher) => watcher.fail(new RegistryError("still down"));
    });
    await h.started();
    await h.clock.advanceAsync(5000);
    expect(gaps(h.discovery.watchTimes).slice(0, 7)).toEqual([100, 200, 400, 800, 1000, 1000, 1000]);
  });

  it("starts over from the initial delay after a successful update", async () => {
    let watches = 0;
    const h = harness({ backoff: { initialMs: 100, maxMs: 10_000, multiplier: 2, jitter: 0 } }, (d) => {
      d.onWatch = (watcher) => {
        watches++;
        // Watches 1–3 fail at once; watch 4 delivers a list and then fails; later ones fail at once.
        if (watches === 4) watcher.push(httpInstances(1));
        watcher.fail(new RegistryError(`failure ${watches}`));
      };
    });
    await h.started();
    await h.clock.advanceAsync(1000);
    expect(gaps(h.discovery.watchTimes).slice(0, 5)).toEqual([100, 200, 400, 100, 200]);
  });

  it("re-creates a watcher that the registry ended", async () => {
    const h = harness();
    const w = await h.started();
    w.end();
    await flushMicrotasks();
    expect(h.logger.matching('the watch of "helloworld" ended; retrying in 1000 ms')).toHaveLength(1);
    expect(h.errors[0]).toBeInstanceOf(WatcherStoppedError);
    await h.clock.advanceAsync(1000);
    expect(h.discovery.watchers).toHaveLength(2);
    h.discovery.latest.push(httpInstances(1));
    await expect(h.resolver.ready()).resolves.toBeUndefined();
  });

  it("retries a watch() that throws, and a watch that yields something other than a list", async () => {
    const h = harness({}, (d) => {
      d.watchThrows.push(new RegistryError("no such service yet"));
      d.onWatch = (watcher) => watcher.push(undefined as never);
    });
    await flushMicrotasks();
    expect(h.discovery.watchers).toHaveLength(0);
    expect(h.logger.matching("no such service yet")).toHaveLength(1);
    await h.clock.advanceAsync(1000);
    expect(h.discovery.watchers).toHaveLength(1);
    expect(h.logger.matching("yielded undefined, not an instance list")).toHaveLength(1);
    expect(h.errors[1]).toBeInstanceOf(RegistryError);
  });

  it("keeps going when onError throws", async () => {
    const h = harness({
      onError: () => {
        throw new Error("bad listener");
      },
    });
    (await h.started()).fail(new RegistryError("down"));
    await flushMicrotasks();
    expect(h.logger.matching("onError")).toHaveLength(1);
    await h.clock.advanceAsync(1000);
    h.discovery.latest.push(httpInstances(1));
    await expect(h.resolver.ready()).resolves.toBeUndefined();
  });

  it("keeps retrying when the backoff's random source throws", async () => {
    vi.spyOn(process, "emitWarning").mockImplementation(() => {});
    const random = () => {
      throw new Error("entropy pool empty");
    };
    const h = harness({ backoff: { initialMs: 100, maxMs: 100, jitter: 0.5, random } }, (d) => {
      d.onWatch = (watcher) => watcher.fail(new RegistryError("still down"));
    });
    await h.started();
    await h.clock.advanceAsync(1000);
    expect(h.discovery.watchers.length).toBeGreaterThan(10);
    vi.restoreAllMocks();
  });

  it("gives the last watch error as the cause of a ready() timeout", async () => {
    const h = harness();
    const ready = h.resolver.ready({ timeoutMs: 500 }).catch((e: unknown) => e);
    const down = new RegistryError("connection refused");
    (await h.started()).fail(down);
    await h.clock.advanceAsync(500);
    const error = (await ready) as ResolveTimeoutError;
    expect(error).toBeInstanceOf(ResolveTimeoutError);
    expect(error.cause).toBe(down);
    expect(error.message).toContain("connection refused");
  });
});

describe("Resolver.close", () => {
  it("cancels a pending retry", async () => {
    const h = harness();
    (await h.started()).fail(new RegistryError("down"));
    await flushMicrotasks();
    expect(h.clock.pendingTimers()).toBe(1);
    await h.resolver.close();
    expect(h.clock.pendingTimers()).toBe(0);
    await h.clock.advanceAsync(60_000);
    expect(h.discovery.watchers).toHaveLength(1);
  });

  it("stops the watcher, aborts its signal, and discards a result still in flight", async () => {
    const h = harness({}, (d) => {
      d.stubborn = true;
    });
    const w = await h.started();
    w.push(httpInstances(1));
    await flushMicrotasks();
    const good = h.resolver.current();
    await h.resolver.close();
    expect(w.stopCalls).toBe(1);
    expect(w.signal?.aborted).toBe(true);
    expect(w.signal?.reason).toBeInstanceOf(ResolverClosedError);
    w.push(httpInstances(4)); // the stubborn watcher answers the pending next() anyway
    await h.clock.advanceAsync(60_000);
    expect(h.updates).toHaveLength(1);
    expect(h.resolver.current()).toBe(good);
    expect(w.nextCalls).toBe(2);
    expect(h.discovery.watchers).toHaveLength(1);
    expect(h.logger.warnings).toEqual([]);
  });

  it("is idempotent and stops the watcher once", async () => {
    const h = harness();
    const w = await h.started();
    const first = h.resolver.close();
    expect(h.resolver.close()).toBe(first);
    await first;
    await h.resolver.close();
    expect(w.stopCalls).toBe(1);
  });

  it("never starts a watch when called right after creation", async () => {
    const h = harness();
    await h.resolver.close();
    await h.clock.advanceAsync(60_000);
    expect(h.discovery.names).toEqual([]);
  });
});

describe("createBackoff", () => {
  it("starts at initialMs, multiplies, caps at maxMs and starts over on reset", () => {
    const backoff = createBackoff({ initialMs: 10, maxMs: 50, multiplier: 3, jitter: 0 });
    expect([backoff.next(), backoff.next(), backoff.next(), backoff.next()]).toEqual([10, 30, 50, 50]);
    backoff.reset();
    expect(backoff.next()).toBe(10);
  });

  it("shortens each delay by at most the jitter fraction", () => {
    const draws = [0, 0.5, 0.999];
    const backoff = createBackoff({
      initialMs: 1000,
      multiplier: 1,
      jitter: 0.2,
      random: () => draws.shift()!,
    });
    expect(backoff.next()).toBe(1000);
    expect(backoff.next()).toBe(900);
    expect(backoff.next()).toBeCloseTo(800.2, 6);
  });

  it("keeps every delay in range whatever its random source does, and reports the first bad draw once", () => {
    const emitted = vi.spyOn(process, "emitWarning").mockImplementation(() => {});
    const draws: (() => unknown)[] = [
      () => 2,
      () => -1,
      () => Number.NaN,
      () => "0.5",
      () => {
        throw new Error("entropy pool empty");
      },
    ];
    const backoff = createBackoff({
      initialMs: 1000,
      multiplier: 1,
      jitter: 0.2,
      random: () => draws.shift()!() as number,
    });
    expect(backoff.next()).toBeCloseTo(800, 9); // 2 counts as (just below) 1: the most jitter
    expect(backoff.next()).toBe(1000); // -1 counts as 0: no jitter
    for (let i = 0; i < 3; i++) {
      const delay = backoff.next();
      expect(delay).toBeGreaterThanOrEqual(800);
      expect(delay).toBeLessThanOrEqual(1000);
    }
    expect(emitted).toHaveBeenCalledTimes(1);
    expect(String(emitted.mock.calls[0]![0])).toMatch(/^backoff: the random source returned 2/);
    vi.restoreAllMocks();
  });

  it("uses 1 s, ×1.6, 20 % jitter and a 30 s cap by default, and never exceeds the cap", () => {
    expect(DEFAULT_BACKOFF).toEqual({ initialMs: 1000, maxMs: 30_000, multiplier: 1.6, jitter: 0.2 });
    const backoff = createBackoff({ random: () => 0 });
    const delays = Array.from({ length: 12 }, () => backoff.next());
    expect(delays.slice(0, 3)).toEqual([1000, 1600, 2560]);
    expect(Math.max(...delays)).toBe(30_000);
    expect(createBackoff({ maxMs: 300, random: () => 0 }).next()).toBe(300);
  });

  for (const [what, options] of [
    ["a zero initialMs", { initialMs: 0 }],
    ["an initialMs above maxMs", { initialMs: 200, maxMs: 100 }],
    ["an infinite maxMs", { maxMs: Number.POSITIVE_INFINITY }],
    ["a multiplier below 1", { multiplier: 0.9 }],
    ["a jitter above 1", { jitter: 1.5 }],
    ["a NaN jitter", { jitter: Number.NaN }],
    ["a random that is not a function", { random: 0.5 as never }],
  ] as const) {
    it(`rejects ${what}`, () => {
      expect(() => createBackoff(options)).toThrow(InvalidArgumentError);
    });
  }
});
