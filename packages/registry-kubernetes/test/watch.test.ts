import type { RegistryError, ServiceInstance, Watcher } from "@switchyard/api";
import { createFakeClock, type FakeClock } from "@switchyard/testkit";
import {
  type KubernetesDouble,
  type KubernetesRecordedRequest,
  startKubernetesDouble,
} from "@switchyard/testkit/kubernetes";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  createKubernetesDiscovery,
  type KubernetesDiscovery,
  type KubernetesDiscoveryOptions,
} from "../src/index.js";
import { quiet } from "./helpers.js";

let double: KubernetesDouble;
let discovery: KubernetesDiscovery;
let clock: FakeClock;
let errors: RegistryError[];
let delays: number[];
let errorArrived: () => void;
let nextError: Promise<void>;

afterEach(async () => {
  await discovery?.close();
  await double?.close();
});

function armError(): void {
  nextError = new Promise<void>((resolve) => (errorArrived = resolve));
}

async function start(options: KubernetesDiscoveryOptions = {}): Promise<void> {
  clock = createFakeClock();
  errors = [];
  delays = [];
  armError();
  double = await startKubernetesDouble({ clock });
  discovery = createKubernetesDiscovery({
    server: double.url,
    env: {},
    clock,
    logger: quiet,
    random: () => 0.5,
    backoff: { initialMs: 100, maxMs: 1000, jitter: 0.2 },
    onError: (error, context) => {
      errors.push(error);
      if (context.retryInMs !== undefined) delays.push(context.retryInMs);
      errorArrived();
      armError();
    },
    ...options,
  });
}

/** An EndpointSlice of `service` with one ready endpoint per pod number, port 8080 named http. */
function slice(name: string, pods: number[], service = "api", extra: Record<string, unknown> = {}) {
  return {
    kind: "EndpointSlice",
    metadata: { name, labels: { "kubernetes.io/service-name": service, ...extra } },
    addressType: "IPv4",
    ports: [{ name: "http", port: 8080, protocol: "TCP" }],
    endpoints: pods.map((n) => ({
      addresses: [`10.0.0.${n}`],
      conditions: { ready: true },
      targetRef: { kind: "Pod", name: `${service}-${n}` },
    })),
  };
}

const ids = (list: readonly ServiceInstance[]): string[] => list.map((i) => i.id);
const lists = (predicate: (r: KubernetesRecordedRequest) => boolean): KubernetesRecordedRequest[] =>
  double.requests.filter((r) => r.path.endsWith("/endpointslices") && predicate(r));
const isList = (r: KubernetesRecordedRequest): boolean => !r.watch;

/** Resolves when the double has `n` open watches. */
async function watches(n: number): Promise<void> {
  while (double.openWatches() !== n) await new Promise((resolve) => setTimeout(resolve, 5));
}

/** Moves the clock on until `promise` settles (retries in flight finish on real sockets meanwhile). */
async function advanceUntil<T>(promise: Promise<T>): Promise<T> {
  let settled = false;
  const watched = promise.finally(() => (settled = true));
  while (!settled) {
    await clock.advanceAsync(250);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return watched;
}

/** Waits for the next reported error and moves the clock past its retry delay. */
async function retryAfterError(): Promise<RegistryError> {
  await nextError;
  const error = errors[errors.length - 1]!;
  await clock.advanceAsync(1000);
  return error;
}

describe("registry-kubernetes watches (list, then watch)", () => {
  it("gives the current list first, then one list per change, in id order", async () => {
    await start();
    double.apply(slice("api-a", [2, 1]));
    const watcher = discovery.watch("api");
    const first = await watcher.next();
    expect(first).toEqual([
      { id: "api-1", name: "api", version: "", metadata: {}, endpoints: ["http://10.0.0.1:8080"] },
      { id: "api-2", name: "api", version: "", metadata: {}, endpoints: ["http://10.0.0.2:8080"] },
    ]);
    double.apply(slice("api-b", [3]));
    expect(ids(await watcher.next())).toEqual(["api-1", "api-2", "api-3"]);
    double.remove("EndpointSlice", "api-a");
    expect(ids(await watcher.next())).toEqual(["api-3"]);
    expect(lists(isList)).toHaveLength(1);
    const [watch] = lists((r) => r.watch);
    expect(Object.fromEntries(watch!.query)).toMatchObject({
      labelSelector: "kubernetes.io/service-name=api",
      allowWatchBookmarks: "true",
      resourceVersion: expect.stringMatching(/^\d+$/),
      timeoutSeconds: expect.stringMatching(/^\d+$/),
    });
  });

  it("yields nothing for a change that leaves the instances equal", async () => {
    await start();
    double.apply(slice("api-a", [1]));
    const watcher = discovery.watch("api");
    await watcher.next();
    const pending = watcher.next();
    double.apply(slice("api-a", [1], "api", { team: "blue" })); // a label: same endpoints
    double.apply(slice("api-a", [1, 2], "api", { team: "blue" }));
    expect(ids(await pending)).toEqual(["api-1", "api-2"]);
  });

  it("resumes a dropped watch from the last resourceVersion, without listing again", async () => {
    await start();
    double.apply(slice("api-a", [1]));
    const watcher = discovery.watch("api");
    await watcher.next();
    await watches(1);
    double.apply(slice("api-a", [1, 2]));
    expect(ids(await watcher.next())).toEqual(["api-1", "api-2"]);
    const seen = double.resourceVersion();
    double.dropWatches();
    const error = await retryAfterError();
    expect(error.retryable).toBe(true);
    double.apply(slice("api-a", [2]));
    expect(ids(await watcher.next())).toEqual(["api-2"]);
    expect(lists(isList)).toHaveLength(1);
    expect(lists((r) => r.watch).map((r) => r.query.get("resourceVersion"))[1]).toBe(seen);
  });

  it("resumes from the resourceVersion of the last bookmark", async () => {
    await start();
    double.apply(slice("api-a", [1]));
    const watcher = discovery.watch("api");
    await watcher.next();
    await watches(1);
    double.apply(slice("web-a", [1], "web")); // not selected: moves the resourceVersion only
    double.bookmark();
    const bookmarked = double.resourceVersion();
    await new Promise((resolve) => setTimeout(resolve, 20)); // the bookmark crosses the socket
    double.dropWatches();
    await retryAfterError();
    await watches(1);
    expect(lists((r) => r.watch).map((r) => r.query.get("resourceVersion"))[1]).toBe(bookmarked);
  });

  it("lists again on 410 Gone (history compacted) and loses no change", async () => {
    await start();
    double.apply(slice("api-a", [1]));
    const watcher = discovery.watch("api");
    await watcher.next();
    await watches(1);
    await double.down(); // the watch drops; changes happen while it is away, then history is compacted
    double.apply(slice("api-b", [2]));
    double.compact();
    await retryAfterError();
    await double.up();
    await clock.advanceAsync(1000);
    expect(ids(await watcher.next())).toEqual(["api-1", "api-2"]);
    expect(lists(isList)).toHaveLength(2);
  });

  it("lists a large service in pages of pageSize (limit and continue)", async () => {
    await start({ pageSize: 2 });
    for (const n of [1, 2, 3, 4, 5]) double.apply(slice(`api-${n}`, [n]));
    const watcher = discovery.watch("api");
    expect(ids(await watcher.next())).toEqual(["api-1", "api-2", "api-3", "api-4", "api-5"]);
    const pages = lists(isList);
    expect(pages.map((r) => r.query.get("limit"))).toEqual(["2", "2", "2"]);
    expect(pages.filter((r) => r.query.get("continue"))).toHaveLength(2);
  });

  it("starts a list over when its continue token expires between pages", async () => {
    await start({ pageSize: 2 });
    for (const n of [1, 2, 3]) double.apply(slice(`api-${n}`, [n]));
    void double.nextRequest((r) => {
      if (!r.query.get("continue")) return false;
      double.injectFault({ kind: "expired" }, { watch: false }); // played on this very request
      return true;
    });
    expect(ids(await discovery.getService("api"))).toEqual(["api-1", "api-2", "api-3"]);
    expect(lists(isList).map((r) => Boolean(r.query.get("continue")))).toEqual([false, true, false, true]);
  });

  it("keeps the last list while the API server is down, retries with growing delays, and recovers", async () => {
    await start();
    double.apply(slice("api-a", [1]));
    const watcher = discovery.watch("api");
    await watcher.next();
    await watches(1);
    let settled = false;
    const pending = watcher.next();
    void pending.then(
      () => (settled = true),
      () => {},
    );
    await double.down();
    while (errors.length < 5) {
      await clock.advanceAsync(50);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    expect(settled).toBe(false);
    expect(errors.every((e) => e.retryable)).toBe(true);
    expect(errors[1]!.message).toMatch(
      /^kubernetes: watching the EndpointSlices of "api" in namespace "default" failed: cannot reach/,
    );
    // 100 ms growing by 1.6 up to 1000, each shortened by jitter 0.2 × the draw 0.5.
    expect(delays.slice(0, 4).map(Math.round)).toEqual([90, 144, 230, 369]);
    await double.up();
    double.apply(slice("api-a", [1, 2]));
    expect(ids(await advanceUntil(pending))).toEqual(["api-1", "api-2"]);
  });

  it("backs off from a watch that the server ends at once with nothing in it, instead of spinning", async () => {
    await start();
    const watcher = discovery.watch("api");
    await watcher.next();
    await watches(1);
    double.endWatches();
    await nextError;
    expect(errors[0]!.message).toContain("ended at once with no event");
    await new Promise((resolve) => setTimeout(resolve, 50)); // time enough for a spinning loop to show
    expect(lists((r) => r.watch)).toHaveLength(1);
    await clock.advanceAsync(1000);
    await watches(1);
    expect(lists((r) => r.watch)).toHaveLength(2);
  });

  it("times a hanging list out on the clock, and retries it", async () => {
    await start({ requestTimeoutMs: 3000 });
    double.apply(slice("api-a", [1]));
    double.injectFault({ kind: "hang" }, { watch: false });
    const first = discovery.watch("api").next();
    while (double.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    await clock.advanceAsync(3000);
    while (errors.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(errors[0]!.message).toMatch(/timed out after 3000 ms/);
    expect(ids(await advanceUntil(first))).toEqual(["api-1"]);
  });

  it("stops at once, closing its watch stream", async () => {
    await start();
    const watcher: Watcher = discovery.watch("api");
    expect(await watcher.next()).toEqual([]);
    await watches(1);
    const pending = watcher.next().catch((error: unknown) => error);
    await watcher.stop();
    expect((await pending) as Error).toMatchObject({ code: "WATCHER_STOPPED" });
    await watches(0);
  });
});

describe("a watch given an aborted signal", () => {
  it("comes back stopped, with nothing reported and no request made", async () => {
    const warnings: string[] = [];
    clock = createFakeClock();
    double = await startKubernetesDouble({ clock });
    discovery = createKubernetesDiscovery({
      server: double.url,
      env: {},
      clock,
      logger: { warn: (message) => warnings.push(message) },
    });
    const emitted = vi.spyOn(process, "emitWarning").mockImplementation(() => {});
    try {
      const watcher = discovery.watch("helloworld", { signal: AbortSignal.abort(new Error("gone")) });
      await expect(watcher.next()).rejects.toThrow();
      expect(emitted).not.toHaveBeenCalled();
    } finally {
      emitted.mockRestore();
    }
    expect(warnings).toEqual([]);
    expect(double.requests).toEqual([]);
  });
});
