import {
  type Balancer,
  type BalancerBuilder,
  InvalidArgumentError,
  type Node,
  SwitchyardError,
} from "@switchyard/api";
import { pendingHolds } from "@switchyard/kit";
import { createFakeClock, flushMicrotasks } from "@switchyard/testkit";
import { describe, expect, it } from "vitest";
import { direct } from "../src/direct.js";
import { createResolver } from "../src/resolver.js";
import {
  DEFAULT_READY_TIMEOUT_MS,
  ResolverClosedError,
  type ResolverOptions,
  ResolveTimeoutError,
} from "../src/resolver-api.js";
import { createSelectorBuilder } from "../src/selector.js";
import { createSelectorResolver } from "../src/selector-resolver.js";
import { DEFAULT_SUBSET_SIZE } from "../src/subset.js";
import { FakeDiscovery, harness, httpInstances, instance, RecordingLogger } from "./resolver-fakes.js";

const settledState = (promise: Promise<unknown>) => {
  const state = { settled: false };
  promise.then(
    () => (state.settled = true),
    () => (state.settled = true),
  );
  return state;
};

describe("createResolver: which endpoints become nodes", () => {
  it("keeps http and https endpoints for the http family, https when isSecure is true", async () => {
    const h = harness();
    const w = await h.started();
    w.push([
      instance("a", ["grpc://10.0.0.1:9000", "http://10.0.0.1:8000?isSecure=false"]),
      instance("b", ["http://10.0.0.2:8000?isSecure=true"]),
      instance("c", ["grpc://10.0.0.3:9000"]),
      instance("d", ["https://10.0.0.4"]),
    ]);
    await flushMicrotasks();
    const [update] = h.updates;
    expect(update?.nodes.map((n) => `${n.scheme}://${n.address}`)).toEqual([
      "http://10.0.0.1:8000",
      "https://10.0.0.2:8000",
      "https://10.0.0.4:443",
    ]);
    expect(update?.endpoints.map((e) => e.secure)).toEqual([false, true, true]);
    expect(h.logger.matching('instance "c"')).toHaveLength(1);
    expect(h.logger.matching('instance "c"')[0]).toContain("no usable http:// or https:// endpoint");
  });

  it("keeps grpc and grpcs endpoints for the grpc family and skips http-only instances", async () => {
    const h = harness({ family: "grpc" });
    const w = await h.started();
    w.push([
      instance("a", ["http://10.0.0.1:8000", "grpc://10.0.0.1:9000"]),
      instance("b", ["grpc://10.0.0.2:9000?isSecure=true"]),
      instance("c", ["grpcs://10.0.0.3:9443"]),
      instance("d", ["http://10.0.0.4:8000"]),
    ]);
    await flushMicrotasks();
    expect(h.updates[0]?.nodes.map((n) => `${n.scheme}://${n.address}`)).toEqual([
      "grpc://10.0.0.1:9000",
      "grpcs://10.0.0.2:9000",
      "grpcs://10.0.0.3:9443",
    ]);
    expect(h.logger.matching('instance "d"')[0]).toContain("no usable grpc:// or grpcs:// endpoint");
  });

  it("skips bad endpoints and instances with no usable endpoint with one warning each, never throwing", async () => {
    const h = harness();
    const w = await h.started();
    const broken = { id: "e", name: "helloworld", version: "", metadata: {} } as never;
    w.push([
      instance("a", ["not a url", "http://10.0.0.1:8000"]),
      instance("b", ["::nope"]),
      instance("c", []),
      broken,
      instance("d", ["http://10.0.0.4:8000"]),
    ]);
    await flushMicrotasks();
    expect(h.addresses()).toEqual(["10.0.0.1:8000", "10.0.0.4:8000"]);
    expect(h.logger.matching('instance "a"')).toEqual([expect.stringContaining("ignored bad endpoints")]);
    expect(h.logger.matching('instance "b"')).toEqual([expect.stringContaining("is not a URL")]);
    expect(h.logger.matching('instance "c"')).toHaveLength(1);
    expect(h.logger.matching('instance "e"')).toEqual([expect.stringContaining("no endpoint list")]);
    expect(h.errors).toEqual([]);
  });

  it("never makes a node of an unspecified host (0.0.0.0, ::, any spelling), with one warning per instance", async () => {
    // Dialling 0.0.0.0:P on Linux reaches the client's own host, not the instance.
    const unspecified = [
      "http://0.0.0.0:8000",
      "http://[::]:8000",
      "http://[0:0:0:0:0:0:0:0]:8000",
      "http://[::ffff:0.0.0.0]:8000",
      "http://0:8000",
      "http://0x0.0:8000",
      "http://000.0.0.0.:8000",
    ];
    const h = harness();
    const w = await h.started();
    w.push([
      ...unspecified.map((endpoint, i) => instance(`u${i}`, [endpoint])),
      instance("mixed", ["http://0.0.0.0:8000", "http://10.0.0.9:8000"]),
      instance("good", ["http://10.0.0.1:8000"]),
    ]);
    await flushMicrotasks();
    expect(h.addresses()).toEqual(["10.0.0.9:8000", "10.0.0.1:8000"]);
    unspecified.forEach((endpoint, i) => {
      const warnings = h.logger.matching(`instance "u${i}"`);
      expect(warnings, endpoint).toEqual([expect.stringContaining("unspecified host")]);
    });
    expect(h.logger.matching('instance "mixed"')).toEqual([expect.stringContaining("ignored bad endpoints")]);
    expect(h.logger.matching('instance "mixed"')[0]).toContain("unspecified host");
  });

  it("skips unspecified gRPC hosts too, whose URLs keep the host as written", async () => {
    const h = harness({ family: "grpc" });
    const w = await h.started();
    w.push([
      instance("a", ["grpc://0.0.0.0:9000"]),
      instance("b", ["grpc://[::]:9000"]),
      instance("c", ["grpc://0:9000"]),
      instance("d", ["grpcs://0X00.0.0.0:9000"]),
      instance("e", ["grpc://10.0.0.5:9000"]),
      instance("f", ["grpc://0.example:9000"]),
    ]);
    await flushMicrotasks();
    expect(h.addresses()).toEqual(["10.0.0.5:9000", "0.example:9000"]);
    for (const id of ["a", "b", "c", "d"]) {
      expect(h.logger.matching(`instance "${id}"`)).toEqual([expect.stringContaining("unspecified host")]);
    }
  });

  it("does not repeat a skip warning while the same instance stays broken", async () => {
    const h = harness();
    const w = await h.started();
    const list = [instance("a", ["http://10.0.0.1:8000"]), instance("b", ["grpc://10.0.0.2:9000"])];
    w.push(list);
    await flushMicrotasks();
    w.push([...list, instance("c", ["http://10.0.0.3:8000"])]);
    await flushMicrotasks();
    expect(h.updates).toHaveLength(2);
    expect(h.logger.matching('instance "b"')).toHaveLength(1);
  });

  it("drops duplicate addresses, keeping the first instance", async () => {
    const h = harness();
    const w = await h.started();
    w.push([
      instance("a", ["http://10.0.0.1:8000"], { version: "1" }),
      instance("b", ["http://10.0.0.1:8000"], { version: "2" }),
      instance("c", ["http://10.0.0.2:8000"]),
    ]);
    await flushMicrotasks();
    expect(h.addresses()).toEqual(["10.0.0.1:8000", "10.0.0.2:8000"]);
    expect(h.updates[0]?.nodes[0]?.version).toBe("1");
    expect(h.logger.matching('instance "b"')[0]).toContain('already used by instance "a"');
  });

  it("pairs each node with its parsed endpoint and instance, built from the instance", async () => {
    const h = harness();
    const w = await h.started();
    const a = instance("a", ["http://10.0.0.1:8000"], {
      version: "2.0.0",
      metadata: { weight: "7", zone: "x" },
    });
    w.push([a]);
    await flushMicrotasks();
    const update = h.updates[0]!;
    expect(update.endpoints).toHaveLength(1);
    const [endpoint] = update.endpoints;
    expect(endpoint?.node).toBe(update.nodes[0]);
    expect(endpoint?.instance).toBe(a);
    expect(endpoint).toMatchObject({ scheme: "http", address: "10.0.0.1:8000", secure: false });
    expect(update.nodes[0]).toMatchObject({ serviceName: "helloworld", version: "2.0.0", initialWeight: 7 });
    expect(update.nodes[0]?.metadata.zone).toBe("x");
    expect(Object.isFrozen(update.nodes) && Object.isFrozen(update.endpoints)).toBe(true);
  });
});

describe("createResolver: subsetting", () => {
  const sorted = (addresses: string[]) => [...addresses].sort();

  it(`cuts to ${DEFAULT_SUBSET_SIZE} nodes by default, to subsetSize when given, and keeps all with 0`, async () => {
    for (const [subsetSize, expected] of [
      [undefined, DEFAULT_SUBSET_SIZE],
      [5, 5],
      [0, 60],
    ] as const) {
      const h = harness(subsetSize === undefined ? {} : { subsetSize });
      (await h.started()).push(httpInstances(60));
      await flushMicrotasks();
      expect(h.addresses(), `subsetSize ${subsetSize}`).toHaveLength(expected);
    }
  });

  it("gives the same subset for the same key over the same addresses, across updates and clients", async () => {
    const one = harness({ subsetSize: 10 });
    const two = harness({ subsetSize: 10 });
    const w1 = await one.started();
    const w2 = await two.started();
    w1.push(httpInstances(40));
    // The other client sees the same addresses in another order and under other instance ids.
    w2.push(
      httpInstances(40)
        .map((i) => ({ ...i, id: `other-${i.id}` }))
        .reverse(),
    );
    await flushMicrotasks();
    const first = sorted(one.addresses());
    expect(sorted(two.addresses())).toEqual(first);
    w1.push([...httpInstances(40)].reverse());
    await flushMicrotasks();
    expect(sorted(one.addresses())).toEqual(first);
  });

  it("spreads clients with different keys over different subsets", async () => {
    const subsets = new Set<string>();
    for (const key of ["k1", "k2", "k3", "k4"]) {
      const h = harness({ subsetSize: 10, subsetKey: key });
      (await h.started()).push(httpInstances(40));
      await flushMicrotasks();
      subsets.add(sorted(h.addresses()).join(","));
    }
    expect(subsets.size).toBeGreaterThan(1);
  });
});

describe("createResolver: updates", () => {
  it("refuses an update that leaves no node, keeps the last good list and logs why", async () => {
    const h = harness();
    const w = await h.started();
    w.push(httpInstances(2));
    await flushMicrotasks();
    const good = h.resolver.current();
    w.push([]);
    await flushMicrotasks();
    w.push([instance("g", ["grpc://10.0.0.9:9000"])]);
    await flushMicrotasks();
    expect(h.updates).toHaveLength(1);
    expect(h.resolver.current()).toBe(good);
    const refused = h.logger.matching("refused an update");
    expect(refused).toHaveLength(2);
    expect(refused[0]).toContain('"helloworld"');
    expect(refused[0]).toContain("the last 2 node(s) keep serving");
    w.push(httpInstances(3));
    await flushMicrotasks();
    expect(h.addresses()).toHaveLength(3);
  });

  it("reuses unchanged node objects and does not call onUpdate for an identical list", async () => {
    const h = harness();
    const w = await h.started();
    w.push(httpInstances(3));
    await flushMicrotasks();
    w.push(httpInstances(3)); // new instance objects, same content
    await flushMicrotasks();
    expect(h.updates).toHaveLength(1);
    const changed = httpInstances(3);
    changed[1] = { ...changed[1]!, metadata: { weight: "5" } };
    w.push(changed);
    await flushMicrotasks();
    expect(h.updates).toHaveLength(2);
    const [before, after] = [h.updates[0]!.nodes, h.updates[1]!.nodes];
    expect(after[0]).toBe(before[0]);
    expect(after[2]).toBe(before[2]);
    expect(after[1]).not.toBe(before[1]);
    expect(after[1]?.initialWeight).toBe(5);
  });

  it("drops a list whose onUpdate throws, reports it, and delivers the next one", async () => {
    let calls = 0;
    const h = harness({
      onUpdate: () => {
        calls++;
        if (calls === 1) throw new Error("consumer refused");
      },
    });
    const w = await h.started();
    w.push(httpInstances(2));
    await flushMicrotasks();
    expect(h.resolver.current()).toBeUndefined();
    expect(h.logger.matching("onUpdate")[0]).toContain("consumer refused");
    expect(h.errors).toEqual([expect.objectContaining({ message: "consumer refused" })]);
    w.push(httpInstances(2));
    await flushMicrotasks();
    expect(calls).toBe(2);
    expect(h.resolver.current()?.nodes).toHaveLength(2);
  });

  it("does nothing synchronously: no watch and no onUpdate before a later tick", async () => {
    const h = harness({}, (discovery) => {
      discovery.onWatch = (watcher) => watcher.push(httpInstances(1));
    });
    expect(h.discovery.watchers).toHaveLength(0);
    expect(h.updates).toHaveLength(0);
    await flushMicrotasks();
    expect(h.discovery.names).toEqual(["helloworld"]);
    expect(h.updates).toHaveLength(1);
  });
});

describe("Resolver.ready", () => {
  it("resolves on the first non-empty list, not on an empty first update", async () => {
    const h = harness();
    const ready = h.resolver.ready();
    const state = settledState(ready);
    const w = await h.started();
    w.push([]);
    await flushMicrotasks();
    expect(state.settled).toBe(false);
    w.push(httpInstances(1));
    await expect(ready).resolves.toBeUndefined();
    await expect(h.resolver.ready()).resolves.toBeUndefined();
    expect(h.clock.pendingTimers()).toBe(0);
  });

  it("holds the process open while a ready() is pending, and lets go however the wait ends", async () => {
    const before = pendingHolds();
    const h = harness();
    const opened = h.resolver.ready();
    const timedOut = h.resolver.ready({ timeoutMs: 100 }).catch(() => {});
    const abort = new AbortController();
    const aborted = h.resolver.ready({ signal: abort.signal }).catch(() => {});
    expect(pendingHolds()).toBe(before + 3);
    await h.clock.advanceAsync(100);
    await timedOut;
    abort.abort();
    await aborted;
    expect(pendingHolds()).toBe(before + 1);
    (await h.started()).push(httpInstances(1));
    await opened;
    expect(pendingHolds()).toBe(before);
    const closed = harness().resolver;
    const pending = closed.ready().catch(() => {});
    await closed.close();
    await pending;
    expect(pendingHolds()).toBe(before);
  });

  it("rejects with ResolveTimeoutError naming the service and what to check", async () => {
    const h = harness();
    const ready = h.resolver.ready({ timeoutMs: 5000 }).catch((e: unknown) => e);
    (await h.started()).push([instance("g", ["grpc://10.0.0.9:9000"])]);
    await h.clock.advanceAsync(4999);
    expect(settledState(ready).settled).toBe(false);
    await h.clock.advanceAsync(1);
    const error = (await ready) as ResolveTimeoutError;
    expect(error).toBeInstanceOf(ResolveTimeoutError);
    expect(error).toBeInstanceOf(SwitchyardError);
    expect(error.code).toBe("RESOLVE_TIMEOUT");
    expect(error.serviceName).toBe("helloworld");
    expect(error.timeoutMs).toBe(5000);
    expect(error.message).toMatch(/^resolver: no usable instance of "helloworld" within 5000 ms/);
    expect(error.message).toContain("refused an update");
    expect(error.message).toContain("check that the registry is reachable");
  });

  it(`waits ${DEFAULT_READY_TIMEOUT_MS} ms by default`, async () => {
    const h = harness();
    const ready = h.resolver.ready().catch((e: unknown) => e);
    await h.clock.advanceAsync(DEFAULT_READY_TIMEOUT_MS - 1);
    expect(settledState(ready).settled).toBe(false);
    await h.clock.advanceAsync(1);
    expect(await ready).toBeInstanceOf(ResolveTimeoutError);
  });

  it("rejects with the signal's reason when aborted, and at once when already aborted", async () => {
    const h = harness();
    const controller = new AbortController();
    const ready = h.resolver.ready({ signal: controller.signal }).catch((e: unknown) => e);
    const reason = new Error("caller gave up");
    controller.abort(reason);
    expect(await ready).toBe(reason);
    expect(h.clock.pendingTimers()).toBe(0);
    await expect(h.resolver.ready({ signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
  });

  it("rejects pending and later calls with ResolverClosedError once closed", async () => {
    const h = harness();
    const pending = h.resolver.ready({ timeoutMs: Number.POSITIVE_INFINITY }).catch((e: unknown) => e);
    await h.resolver.close();
    const error = (await pending) as ResolverClosedError;
    expect(error).toBeInstanceOf(ResolverClosedError);
    expect(error.code).toBe("RESOLVER_CLOSED");
    expect(error.message).toContain('"helloworld" is closed');
    await expect(h.resolver.ready()).rejects.toBeInstanceOf(ResolverClosedError);
  });

  it("waits forever for a timeout past what a Node timer holds, instead of firing at once", async () => {
    const h = harness();
    let settled = false;
    const pending = h.resolver.ready({ timeoutMs: 30 * 24 * 3600 * 1000 }).then(
      () => (settled = true),
      () => (settled = true),
    );
    expect(h.clock.pendingTimers()).toBe(0);
    await h.clock.advanceAsync(10);
    expect(settled).toBe(false);
    await h.resolver.close();
    await pending;
  });

  it("rejects a timeout that is not a positive number", async () => {
    const h = harness();
    for (const timeoutMs of [0, -1, Number.NaN, "5" as never]) {
      await expect(h.resolver.ready({ timeoutMs })).rejects.toBeInstanceOf(InvalidArgumentError);
    }
  });
});

const firstNode: BalancerBuilder = {
  name: "first",
  build: (): Balancer => ({ pick: (nodes) => ({ node: nodes[0]!, done: nodes[0]!.pick() }) }),
};

describe("createSelectorResolver", () => {
  it("applies every accepted list to the selector, which keeps the last good one", async () => {
    const clock = createFakeClock();
    const discovery = new FakeDiscovery(clock);
    const selector = createSelectorBuilder({ balancer: firstNode, nodeBuilder: direct({ clock }) }).build();
    const seen: (readonly Node[])[] = [];
    const resolver = createSelectorResolver({
      selector,
      discovery,
      serviceName: "helloworld",
      family: "http",
      clock,
      logger: new RecordingLogger(),
      onUpdate: (update) => seen.push(update.nodes),
    });
    await flushMicrotasks();
    discovery.latest.push(httpInstances(2));
    await resolver.ready();
    expect(selector.select().node).toBe(seen[0]![0]);
    discovery.latest.push([]);
    await flushMicrotasks();
    expect(selector.select().node.address).toBe("10.0.0.0:8000");
    discovery.latest.push(httpInstances(1, 5));
    await flushMicrotasks();
    expect(selector.select().node.address).toBe("10.0.0.5:8000");
    await resolver.close();
  });

  it("rejects a missing selector", () => {
    const discovery = new FakeDiscovery(createFakeClock());
    expect(() => createSelectorResolver({ discovery, serviceName: "s", family: "http" } as never)).toThrow(
      InvalidArgumentError,
    );
  });
});

describe("createResolver: options", () => {
  const discovery = new FakeDiscovery(createFakeClock());
  const base: ResolverOptions = { discovery, serviceName: "s", family: "http", onUpdate: () => {} };
  const bad: [string, Partial<Record<keyof ResolverOptions, unknown>>][] = [
    ["discovery", { discovery: {} }],
    ["serviceName", { serviceName: "" }],
    ["family", { family: "https" }],
    ["subsetSize", { subsetSize: -1 }],
    ["subsetSize", { subsetSize: 2.5 }],
    ["subsetKey", { subsetKey: 7 }],
    ["onUpdate", { onUpdate: undefined }],
    ["onError", { onError: "log" }],
    ["backoff", { backoff: { multiplier: 0.5 } }],
    ["clock", { clock: { now: () => 0 } }],
    ["logger", { logger: {} }],
  ];
  for (const [name, override] of bad) {
    it(`throws InvalidArgumentError naming a bad ${name}`, () => {
      expect(() => createResolver({ ...base, ...override } as ResolverOptions)).toThrow(InvalidArgumentError);
      expect(() => createResolver({ ...base, ...override } as ResolverOptions)).toThrow(name);
    });
  }
});
