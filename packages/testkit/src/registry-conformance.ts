import { randomUUID } from "node:crypto";
import {
  type Discovery,
  type Registrar,
  type ServiceInstance,
  type Watcher,
  WatcherStoppedError,
} from "@switchyard/api";
import { describe, expect, it, type TestContext } from "vitest";

/** A registry as {@link describeRegistryConformance} drives it. */
export interface RegistryUnderTest {
  readonly registrar: Registrar;
  readonly discovery: Discovery;
  /** Called after each test. */
  close?(): Promise<void> | void;
}

/** What {@link describeRegistryConformance} takes. */
export interface RegistryConformanceOptions {
  /** Shown in the test names. */
  readonly name: string;
  /** A fresh registry per test (fresh namespace/service names are fine too). */
  create(): Promise<RegistryUnderTest> | RegistryUnderTest;
  /** How long to wait for a change to reach a watcher before failing, ms (default 5000). */
  readonly timeoutMs?: number;
  /**
   * The instance numbered `n` (1 or 2) of `service` that the tests register and expect back
   * intact; its id must be `<service>-<n>`. Default: version `1.<n>.0`, metadata `zone` and `weight`,
   * an http and a grpc endpoint on 127.0.0.1. A registry whose store carries fewer fields (an
   * EndpointSlice has no version) gives instances made of what it carries.
   */
  readonly sample?: (service: string, n: number) => ServiceInstance;
}

type List = readonly ServiceInstance[];

/** How soon `stop()` and an abort must end a pending `next()`, ms. */
const PROMPT_MS = 1000;

/** Settles like `promise`, or rejects with `message()` after `ms` of wall-clock time. */
async function within<T>(promise: Promise<T>, ms: number, message: () => string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message())), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The rejection of `promise`, or a failure when it resolves or hangs. */
function rejectionOf(promise: Promise<unknown>, ms: number, what: string): Promise<unknown> {
  return within(
    promise.then(
      (value) => {
        throw new Error(`${what} resolved with ${JSON.stringify(value)}, expected a rejection`);
      },
      (error: unknown) => error,
    ),
    ms,
    () => `${what} did not reject within ${ms} ms`,
  );
}

const idsOf = (list: List | undefined): string =>
  list === undefined ? "(none yet)" : `[${list.map((instance) => instance.id).join(", ")}]`;
const hasIds =
  (...ids: string[]) =>
  (list: List): boolean =>
    list.length === ids.length && ids.every((id) => list.some((instance) => instance.id === id));

/** An instance with every field set, endpoints one per scheme so every registry can store them. */
function defaultSample(service: string, n: number): ServiceInstance {
  return {
    id: `${service}-${n}`,
    name: service,
    version: `1.${n}.0`,
    metadata: { zone: `zone-${n}`, weight: String(10 * n) },
    endpoints: [`http://127.0.0.1:${18000 + n}`, `grpc://127.0.0.1:${19000 + n}`],
  };
}

/** Checks that `list` holds `expected` with every field as registered (endpoints in any order). */
function expectIntact(list: List, expected: ServiceInstance): void {
  const actual = list.find((instance) => instance.id === expected.id);
  expect(actual, `instance ${expected.id} in ${idsOf(list)}`).toBeDefined();
  const { id, name, version, metadata, endpoints } = actual!;
  expect({ id, name, version, metadata: { ...metadata }, endpoints: [...endpoints].sort() }).toEqual({
    ...expected,
    endpoints: [...expected.endpoints].sort(),
  });
}

/** One test's registry, watchers and instances, all cleaned up when the test finishes. */
class Harness {
  readonly registrar: Registrar;
  readonly discovery: Discovery;
  private readonly under: RegistryUnderTest;
  private readonly label: string;
  private readonly timeoutMs: number;
  private readonly watchers: Watcher[] = [];
  private readonly registered = new Map<string, ServiceInstance>();
  private readonly lastSeen = new WeakMap<Watcher, List>();

  constructor(under: RegistryUnderTest, label: string, timeoutMs: number) {
    this.under = under;
    this.label = label;
    this.timeoutMs = timeoutMs;
    this.registrar = under.registrar;
    this.discovery = under.discovery;
  }

  service(role: string): string {
    return `conformance-${role}-${randomUUID().slice(0, 8)}`;
  }

  watch(service: string): Watcher {
    const watcher = this.discovery.watch(service);
    this.watchers.push(watcher);
    return watcher;
  }

  /** Registers, and remembers the instance so cleanup deregisters it (for shared, real registries). */
  register(instance: ServiceInstance, signal?: AbortSignal): Promise<void> {
    this.registered.set(instance.id, instance);
    return this.registrar.register(instance, { signal });
  }

  async deregister(instance: ServiceInstance): Promise<void> {
    await this.registrar.deregister(instance);
    this.registered.delete(instance.id);
  }

  /** The first `next()` of `watcher`, within the timeout. */
  first(watcher: Watcher, service: string): Promise<List> {
    return within(watcher.next(), this.timeoutMs, () => this.late(`the first list of ${service}`, undefined));
  }

  /**
   * Calls `next()` until a list passes `accept` (which may also assert on every list seen), all
   * within the timeout. `pending` is a `next()` already started.
   */
  async until(
    watcher: Watcher,
    accept: (list: List) => boolean,
    what: string,
    pending?: Promise<List>,
  ): Promise<List> {
    const deadline = performance.now() + this.timeoutMs;
    for (;;) {
      const left = deadline - performance.now();
      const late = () => this.late(what, this.lastSeen.get(watcher));
      if (left <= 0) throw new Error(late());
      const list = await within(pending ?? watcher.next(), left, late);
      this.lastSeen.set(watcher, list);
      pending = undefined;
      if (accept(list)) return list;
    }
  }

  /** Waits on a fresh watcher until `service` shows exactly `ids` (so reads after it are settled). */
  async settle(service: string, ...ids: string[]): Promise<void> {
    await this.until(this.watch(service), hasIds(...ids), `${service} to list [${ids.join(", ")}]`);
  }

  async cleanup(): Promise<void> {
    const bound = <T>(promise: Promise<T>) => within(promise, this.timeoutMs, () => "cleanup timed out");
    const settle = (calls: (() => Promise<unknown>)[]) =>
      Promise.allSettled(calls.map((call) => bound(Promise.resolve().then(call))));
    await settle(this.watchers.map((watcher) => () => watcher.stop()));
    await settle([...this.registered.values()].map((i) => () => this.registrar.deregister(i)));
    await this.under.close?.();
  }

  private late(what: string, last: List | undefined): string {
    return `${this.label}: ${what} did not reach the watcher within ${this.timeoutMs} ms; last list seen: ${idsOf(last)}`;
  }
}

/**
 * Registers a vitest suite that checks a registry keeps the Registrar/Discovery/Watcher contract:
 * instances round-trip intact, a watch's first `next()` gives the current list and later ones the
 * whole list after each change, services stay apart, `stop()` and abort signals end pending calls
 * promptly with the right errors, and unknown services read as empty. Every test uses fresh
 * service names and waits on watchers (bounded by `timeoutMs`), never on fixed sleeps, so it also
 * runs against real, eventually consistent registries. Call it at the top level of a test file.
 */
export function describeRegistryConformance(options: RegistryConformanceOptions): void {
  const timeoutMs = options.timeoutMs ?? 5000;
  const sample = options.sample ?? defaultSample;
  const open = async (context: TestContext): Promise<Harness> => {
    const harness = new Harness(await options.create(), options.name, timeoutMs);
    context.onTestFinished(() => harness.cleanup());
    return harness;
  };

  describe(`${options.name} keeps the Registry contract`, { timeout: timeoutMs * 5 + PROMPT_MS * 5 }, () => {
    it("finds a registered instance with its id, name, version, metadata and endpoints intact", async (ctx) => {
      const h = await open(ctx);
      const service = h.service("register");
      const one = sample(service, 1);
      await h.register(one);
      await h.settle(service, one.id);
      const list = await h.discovery.getService(service);
      expect(list).toHaveLength(1);
      expectIntact(list, one);
    });

    it("forgets a deregistered instance and keeps the others", async (ctx) => {
      const h = await open(ctx);
      const service = h.service("deregister");
      const [one, two] = [sample(service, 1), sample(service, 2)];
      await h.register(one);
      await h.register(two);
      await h.settle(service, one.id, two.id);
      await h.deregister(one);
      await h.settle(service, two.id);
      const list = await h.discovery.getService(service);
      expect(list.map((instance) => instance.id)).toEqual([two.id]);
      expectIntact(list, two);
    });

    it("gives the current list on the first next() of a watch", async (ctx) => {
      const h = await open(ctx);
      const service = h.service("first");
      const [one, two] = [sample(service, 1), sample(service, 2)];
      await h.register(one);
      await h.register(two);
      await h.settle(service, one.id, two.id);
      const first = await h.first(h.watch(service), service);
      expect(hasIds(one.id, two.id)(first), `first list ${idsOf(first)}`).toBe(true);
      expectIntact(first, one);
    });

    it("gives an empty list on the first next() of a service with no instances", async (ctx) => {
      const h = await open(ctx);
      const service = h.service("empty");
      expect(await h.first(h.watch(service), service)).toEqual([]);
    });

    it("brings each later register and deregister to the watcher as the whole list", async (ctx) => {
      const h = await open(ctx);
      const service = h.service("changes");
      const [one, two] = [sample(service, 1), sample(service, 2)];
      await h.register(one);
      const watcher = h.watch(service);
      await h.until(watcher, hasIds(one.id), `${service} to list ${one.id}`);
      const pending = watcher.next();
      await h.register(two);
      const both = await h.until(watcher, hasIds(one.id, two.id), "the list after a register", pending);
      expectIntact(both, one);
      expectIntact(both, two);
      await h.deregister(one);
      const left = await h.until(watcher, hasIds(two.id), "the list after a deregister");
      expectIntact(left, two);
    });

    it("gives a change to every next() waiting for it, also when a later next() sees it first", async (ctx) => {
      const h = await open(ctx);
      const service = h.service("waiters");
      const [one, two] = [sample(service, 1), sample(service, 2)];
      await h.register(one);
      const watcher = h.watch(service);
      await h.until(watcher, hasIds(one.id), `${service} to list ${one.id}`);
      const waiting = [watcher.next(), watcher.next()];
      const registering = h.register(two);
      const late = watcher.next(); // may see the change before the registry wakes the others
      await registering;
      for (const [i, pending] of [...waiting, late].entries()) {
        const who = i < waiting.length ? `next() #${i + 1} waiting before the register` : "the later next()";
        await h.until(watcher, hasIds(one.id, two.id), `the list after a register, to ${who}`, pending);
      }
    });

    it("keeps two services apart in getService and in watches", async (ctx) => {
      const h = await open(ctx);
      const [red, blue] = [h.service("red"), h.service("blue")];
      const onlyOf =
        (service: string, ...ids: string[]) =>
        (list: List) => {
          for (const instance of list) expect(instance.name, `${instance.id} in ${service}`).toBe(service);
          return hasIds(...ids)(list);
        };
      await h.register(sample(red, 1));
      const [redWatch, blueWatch] = [h.watch(red), h.watch(blue)];
      await h.until(redWatch, onlyOf(red, `${red}-1`), `${red} to list ${red}-1`);
      await h.register(sample(blue, 1));
      await h.register(sample(red, 2));
      await h.until(redWatch, onlyOf(red, `${red}-1`, `${red}-2`), `${red} to list two instances`);
      await h.until(blueWatch, onlyOf(blue, `${blue}-1`), `${blue} to list ${blue}-1`);
      expect((await h.discovery.getService(red)).map((i) => i.id).sort()).toEqual([`${red}-1`, `${red}-2`]);
      expect((await h.discovery.getService(blue)).map((i) => i.id)).toEqual([`${blue}-1`]);
    });

    it("rejects a pending next() with WatcherStoppedError promptly on stop(), and every later next()", async (ctx) => {
      const h = await open(ctx);
      const service = h.service("stop");
      await h.register(sample(service, 1));
      const watcher = h.watch(service);
      await h.until(watcher, hasIds(`${service}-1`), `${service} to list ${service}-1`);
      const pending = rejectionOf(watcher.next(), PROMPT_MS, "a pending next() after stop()");
      await within(watcher.stop(), PROMPT_MS, () => `stop() did not resolve within ${PROMPT_MS} ms`);
      expect(await pending).toBeInstanceOf(WatcherStoppedError);
      const later = await rejectionOf(watcher.next(), PROMPT_MS, "next() after stop()");
      expect(later).toBeInstanceOf(WatcherStoppedError);
      expect((later as WatcherStoppedError).code).toBe("WATCHER_STOPPED");
      await within(watcher.stop(), PROMPT_MS, () => `a second stop() did not resolve within ${PROMPT_MS} ms`);
    });

    it("ends a for await loop over the watcher when the watcher is stopped", async (ctx) => {
      const h = await open(ctx);
      const service = h.service("iterate");
      await h.register(sample(service, 1));
      const watcher = h.watch(service);
      const seen: List[] = [];
      let sawFirst!: () => void;
      const first = new Promise<void>((resolve) => (sawFirst = resolve));
      const loop = (async () => {
        for await (const list of watcher) {
          seen.push(list);
          sawFirst();
        }
      })();
      await within(
        first,
        timeoutMs,
        () => `${options.name}: for await yielded nothing within ${timeoutMs} ms`,
      );
      await watcher.stop();
      const ended = loop.catch((error: unknown) => {
        throw new Error(`for await threw instead of ending when the watcher stopped: ${String(error)}`);
      });
      await within(ended, PROMPT_MS, () => `for await did not end within ${PROMPT_MS} ms of stop()`);
      expect(seen.length).toBeGreaterThan(0);
    });

    it("stops the watcher when a for await loop breaks out of it", async (ctx) => {
      const h = await open(ctx);
      const service = h.service("break");
      await h.register(sample(service, 1));
      const watcher = h.watch(service);
      const loop = (async () => {
        for await (const _ of watcher) break;
      })();
      await within(
        loop,
        timeoutMs,
        () => `${options.name}: for await yielded nothing within ${timeoutMs} ms`,
      );
      const after = await rejectionOf(watcher.next(), PROMPT_MS, "next() after the loop broke");
      expect(after).toBeInstanceOf(WatcherStoppedError);
    });

    it("stops the watcher when the signal given to watch() is or gets aborted, the reason as cause", async (ctx) => {
      const h = await open(ctx);
      const service = h.service("watch-signal");
      await h.register(sample(service, 1));
      const controller = new AbortController();
      const reason = new Error("shutting down");
      const watcher = h.discovery.watch(service, { signal: controller.signal });
      await h.until(watcher, hasIds(`${service}-1`), `${service} to list ${service}-1`);
      const pending = rejectionOf(watcher.next(), PROMPT_MS, "a pending next() when the watch signal aborts");
      controller.abort(reason);
      for (const error of [await pending, await rejectionOf(watcher.next(), PROMPT_MS, "a later next()")]) {
        expect(error).toBeInstanceOf(WatcherStoppedError);
        expect((error as WatcherStoppedError).cause).toBe(reason);
      }
      const already = h.discovery.watch(service, { signal: AbortSignal.abort(reason) });
      const first = await rejectionOf(
        already.next(),
        PROMPT_MS,
        "next() of a watch whose signal was aborted",
      );
      expect(first).toBeInstanceOf(WatcherStoppedError);
      expect((first as WatcherStoppedError).cause).toBe(reason);
    });

    it("rejects next() with the signal's reason when its signal is or gets aborted", async (ctx) => {
      const h = await open(ctx);
      const service = h.service("abort");
      await h.register(sample(service, 1));
      const watcher = h.watch(service);
      await h.until(watcher, hasIds(`${service}-1`), `${service} to list ${service}-1`);
      const early = new Error("aborted before next()");
      const before = watcher.next({ signal: AbortSignal.abort(early) });
      expect(await rejectionOf(before, PROMPT_MS, "next() with an aborted signal")).toBe(early);
      const controller = new AbortController();
      const late = new Error("aborted while next() waits");
      const during = rejectionOf(watcher.next({ signal: controller.signal }), PROMPT_MS, "an aborted next()");
      controller.abort(late);
      expect(await during).toBe(late);
    });

    it("rejects register, deregister and getService with the reason of an aborted signal", async (ctx) => {
      const h = await open(ctx);
      const service = h.service("abort-calls");
      const reason = new Error("caller gave up");
      const signal = AbortSignal.abort(reason);
      const instance = sample(service, 1);
      expect(await rejectionOf(h.register(instance, signal), PROMPT_MS, "register")).toBe(reason);
      expect(await rejectionOf(h.registrar.deregister(instance, { signal }), PROMPT_MS, "deregister")).toBe(
        reason,
      );
      expect(await rejectionOf(h.discovery.getService(service, { signal }), PROMPT_MS, "getService")).toBe(
        reason,
      );
    });

    it("resolves getService of an unknown service to an empty list", async (ctx) => {
      const h = await open(ctx);
      expect(await h.discovery.getService(h.service("unknown"))).toEqual([]);
    });
  });
}
