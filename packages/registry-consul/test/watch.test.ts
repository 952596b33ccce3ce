import { type ServiceInstance, WatcherStoppedError } from "@switchyard/api";
import { afterEach, describe, expect, it } from "vitest";
import {
  healthQueries,
  healthQuery,
  ids,
  instance,
  isPending,
  type Rig,
  startRig,
  until,
} from "./helpers.js";

let rig: Rig;

afterEach(async () => {
  await rig?.close();
});

const indexParam = (request: { query: URLSearchParams }) => request.query.get("index");

describe("watch", () => {
  it("gives the current list first, then every add, removal and health flip", async () => {
    rig = await startRig();
    const registry = rig.registry();
    await registry.register(instance(1));
    const watcher = rig.registry().watch("api");
    expect(ids(await watcher.next())).toEqual(["api-1"]);
    await registry.register(instance(2));
    expect(ids(await watcher.next())).toEqual(["api-1", "api-2"]);
    await registry.deregister(instance(1));
    expect(ids(await watcher.next())).toEqual(["api-2"]);
    rig.double.setCheckStatus("service:api-2", "critical", "down");
    expect(ids(await watcher.next())).toEqual([]);
    rig.double.setCheckStatus("service:api-2", "passing");
    expect(ids(await watcher.next())).toEqual(["api-2"]);
    await watcher.stop();
  });

  it("sends blocking queries with the X-Consul-Index it got and the configured wait", async () => {
    rig = await startRig();
    const watcher = rig.registry({ waitMs: 90_000 }).watch("api");
    await watcher.next();
    const first = await healthQuery(rig.double, 1);
    expect(first.query.has("index")).toBe(false);
    const second = await healthQuery(rig.double, 2);
    expect(indexParam(second)).toBe(String(rig.double.index()));
    expect(second.query.get("wait")).toBe("90s");
    expect(second.blocking).toBe(true);
    await watcher.stop();
  });

  it("yields nothing when a blocking query times out, or returns on a write that leaves the list equal", async () => {
    rig = await startRig();
    const registry = rig.registry();
    await registry.register(instance(1));
    const watcher = rig.registry().watch("api");
    await watcher.next();
    const next = watcher.next();
    await healthQuery(rig.double, 2);
    await rig.clock.advanceAsync(10_000); // the wait elapses: same index, same list
    await healthQuery(rig.double, 3);
    expect(await isPending(next)).toBe(true);
    rig.double.setCheckStatus("service:api-1", "passing", "a new note"); // a real write, same instances
    await healthQuery(rig.double, 4);
    expect(await isPending(next)).toBe(true);
    await watcher.stop();
    await expect(next).rejects.toBeInstanceOf(WatcherStoppedError);
  });

  it("restarts from index 0 when the index goes backwards, and keeps seeing changes", async () => {
    rig = await startRig();
    const registry = rig.registry();
    for (let n = 1; n <= 4; n++) await registry.register(instance(n));
    const watcher = rig.registry().watch("api");
    expect(ids(await watcher.next())).toHaveLength(4);
    const stale = await healthQuery(rig.double, 2);
    rig.double.resetIndex(1); // a snapshot restore: every index is now lower than the watcher's
    await registry.deregister(instance(4));
    expect(await isPending(stale.outcome)).toBe(true); // the change does not move the index past the watcher's
    await rig.clock.advanceAsync(10_000); // Consul answers the stale index only when its wait elapses
    expect(ids(await watcher.next())).toEqual(["api-1", "api-2", "api-3"]);
    expect(indexParam(await healthQuery(rig.double, 3))).toBeNull(); // reset to 0: a plain read
    const blocking = await healthQuery(rig.double, 4);
    expect(Number(indexParam(blocking))).toBe(rig.double.index());
    await registry.deregister(instance(3));
    expect(ids(await watcher.next())).toEqual(["api-1", "api-2"]);
    await watcher.stop();
  });

  it("never sends index 0 after an answer, so a zero X-Consul-Index cannot turn the loop into a busy loop", async () => {
    rig = await startRig();
    rig.double.injectFault({ kind: "index", index: 0 });
    const watcher = rig.registry().watch("api");
    await watcher.next();
    expect(indexParam(await healthQuery(rig.double, 2))).toBe("1");
    await watcher.stop();
  });

  it("rate limits a watch whose results keep changing: a burst of 2 queries, then one per interval", async () => {
    rig = await startRig();
    const registry = rig.registry({ heartbeat: false }); // no check: passing at once, one write
    const watcher = rig.registry({ rateLimit: { burst: 2, intervalMs: 5_000 } }).watch("api");
    await watcher.next();
    await healthQuery(rig.double, 2); // the second token: a blocking query
    await registry.register(instance(1));
    expect(ids(await watcher.next())).toEqual(["api-1"]);
    await rig.clock.advanceAsync(4_999);
    expect(healthQueries(rig.double)).toBe(2); // the third waits for a token
    await rig.clock.advanceAsync(1);
    await healthQuery(rig.double, 3);
    await watcher.stop();
  });

  it("keeps the last good list while Consul is down, retries with backoff, and recovers without a restart", async () => {
    rig = await startRig();
    const registry = rig.registry();
    await registry.register(instance(1));
    // Doubling delays (the default grows them ×1.6), so the retries land on round numbers.
    const watcher = rig.registry({ heartbeat: false, backoff: { multiplier: 2 } }).watch("api");
    const seen: ServiceInstance[][] = [];
    expect(ids(await watcher.next())).toEqual(["api-1"]);
    await healthQuery(rig.double, 2);
    await registry.close(); // stop the heartbeat: it would fail while down too
    await rig.double.down();
    const next = watcher.next().then((list) => seen.push([...list]));
    await until(() => rig.errors.length === 1, "the first failure");
    for (const delay of [1000, 2000, 4000]) {
      expect(rig.errors.at(-1)?.context).toMatchObject({
        operation: "watch",
        serviceName: "api",
        retryInMs: delay,
      });
      const count = rig.errors.length;
      await rig.clock.advanceAsync(delay);
      await until(() => rig.errors.length === count + 1, "the next failure");
    }
    expect(rig.errors.every((e) => e.error.retryable && /cannot reach the agent/.test(e.error.message))).toBe(
      true,
    );
    expect(seen).toEqual([]); // nothing yielded, least of all an empty list
    await rig.double.up();
    const queries = healthQueries(rig.double);
    await rig.clock.advanceAsync(8000);
    await healthQuery(rig.double, queries + 1); // the retry, a blocking query again
    await until(() => rig.double.heldQueries() === 1, "the retry to be held");
    expect(await isPending(next)).toBe(true); // nothing changed during the outage: no yield
    await rig.registry().register(instance(2));
    await next;
    expect(seen.map(ids)).toEqual([["api-1", "api-2"]]);
    await watcher.stop();
  });

  it("grows its retry delays by the backoff every Switchyard component shares: 1 s, ×1.6", async () => {
    rig = await startRig();
    const watcher = rig.registry().watch("api");
    await watcher.next();
    await rig.double.down();
    await until(() => rig.errors.length === 1, "the first failure");
    for (const delay of [1000, 1600, 2560]) {
      expect(rig.errors.at(-1)?.context).toMatchObject({ operation: "watch", retryInMs: delay });
      const count = rig.errors.length;
      await rig.clock.advanceAsync(delay);
      await until(() => rig.errors.length === count + 1, "the next failure");
    }
    await watcher.stop();
  });

  it.each([
    ["5xx", { kind: "status", status: 503, body: "no leader" }, /503: no leader/],
    ["403", { kind: "status", status: 403, body: "ACL not found" }, /403: ACL not found/],
    ["invalid JSON", { kind: "invalid-json" }, /not valid JSON/],
    ["a truncated reply", { kind: "truncated" }, /cut off/],
    [
      "an entry without a usable address",
      { kind: "reply", body: '[{"Service":{"ID":"api-1","Service":"api"},"Checks":[]}]' },
      /"api-1" of "api" has no usable address/,
    ],
  ] as const)(
    "keeps the last good list through %s, reporting it through onError",
    async (_, fault, message) => {
      rig = await startRig();
      await rig.registry().register(instance(1));
      const watcher = rig.registry().watch("api");
      expect(ids(await watcher.next())).toEqual(["api-1"]);
      const next = watcher.next();
      await healthQuery(rig.double, 2);
      rig.double.injectFault(fault, { path: "/v1/health/" });
      rig.double.setCheckStatus("service:api-1", "passing", "wake the held query");
      await until(() => rig.errors.length > 0, "an error report");
      expect(rig.errors[0]?.error.message).toMatch(message);
      expect(await isPending(next)).toBe(true);
      await rig.clock.advanceAsync(1000);
      await healthQuery(rig.double, 4);
      expect(await isPending(next)).toBe(true);
      await watcher.stop();
    },
  );

  it("times out a slow reply on the clock, reports it, and retries", async () => {
    rig = await startRig();
    rig.double.injectFault({ kind: "hang" }, { path: "/v1/health/" });
    const watcher = rig.registry({ requestTimeoutMs: 5000 }).watch("api");
    const first = watcher.next();
    await healthQuery(rig.double, 1);
    await rig.clock.advanceAsync(5000);
    await until(() => rig.errors.length > 0, "the timeout report");
    expect(rig.errors[0]?.error.message).toMatch(/timed out after 5000 ms/);
    await rig.clock.advanceAsync(1000);
    expect(await first).toEqual([]);
    await watcher.stop();
  });
});

describe("stopping a watch", () => {
  it("returns within 100 ms during a blocking query, and the query is aborted at the agent", async () => {
    rig = await startRig();
    const watcher = rig.registry({ waitMs: 600_000 }).watch("api");
    await watcher.next();
    const held = await healthQuery(rig.double, 2);
    const next = watcher.next();
    const started = performance.now();
    await watcher.stop();
    await expect(next).rejects.toBeInstanceOf(WatcherStoppedError);
    // The bound; in practice this is well under a millisecond, as nothing waits on I/O.
    expect(performance.now() - started).toBeLessThan(100);
    expect(await held.outcome).toBe("aborted"); // the agent sees the request go away
    expect(rig.double.heldQueries()).toBe(0);
  });

  it("rejects later next() calls with WatcherStoppedError, and stop() is idempotent", async () => {
    rig = await startRig();
    const watcher = rig.registry().watch("api");
    await watcher.stop();
    await watcher.stop();
    await expect(watcher.next()).rejects.toBeInstanceOf(WatcherStoppedError);
    await expect(watcher.next()).rejects.toThrow(/call watch\(\) again/);
  });

  it("ends async iteration cleanly on stop, and a break stops the watcher", async () => {
    rig = await startRig();
    await rig.registry().register(instance(1));
    const watcher = rig.registry().watch("api");
    const lists: string[][] = [];
    const loop = (async () => {
      for await (const list of watcher) lists.push(ids(list));
    })();
    await until(() => lists.length === 1, "the first list");
    await watcher.stop();
    await loop;
    expect(lists).toEqual([["api-1"]]);
    const other = rig.registry().watch("api");
    for await (const _ of other) break;
    await expect(other.next()).rejects.toBeInstanceOf(WatcherStoppedError);
  });

  it("stops when the watch signal aborts; a next() signal only rejects that call", async () => {
    rig = await startRig();
    const registry = rig.registry();
    const perCall = new AbortController();
    const watcher = registry.watch("api");
    await watcher.next();
    const reason = new Error("enough");
    const pending = watcher.next({ signal: perCall.signal });
    perCall.abort(reason);
    await expect(pending).rejects.toBe(reason);
    await registry.register(instance(1));
    expect(ids(await watcher.next())).toEqual(["api-1"]);
    const whole = new AbortController();
    const scoped = registry.watch("api", { signal: whole.signal });
    await scoped.next();
    whole.abort();
    await expect(scoped.next()).rejects.toBeInstanceOf(WatcherStoppedError);
    await watcher.stop();
  });

  it("says the registry was closed in the error of a watcher the registry stopped", async () => {
    rig = await startRig();
    const registry = rig.registry();
    const watcher = registry.watch("api");
    await registry.close();
    await expect(watcher.next()).rejects.toThrow(
      /^consul: the watcher of "api" no longer yields because the registry was closed; call watch\(\) again/,
    );
  });

  it("closing the registry stops its watchers", async () => {
    rig = await startRig();
    const registry = rig.registry();
    const watcher = registry.watch("api");
    await watcher.next();
    const next = watcher.next().catch((error: unknown) => error);
    await registry.close();
    expect(await next).toBeInstanceOf(WatcherStoppedError);
  });
});
