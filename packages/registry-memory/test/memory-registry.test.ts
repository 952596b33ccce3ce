import {
  InvalidArgumentError,
  RegistryError,
  type ServiceInstance,
  WatcherStoppedError,
} from "@switchyard/api";
import { flushMicrotasks } from "@switchyard/testkit";
import { describe, expect, it } from "vitest";
import { createMemoryRegistry } from "../src/index.js";
import { ids, instance, track } from "./helpers.js";

describe("memory registry: register, deregister, getService", () => {
  it("replaces the instance registered under the same id", async () => {
    const registry = createMemoryRegistry();
    await registry.register(instance(1));
    await registry.register(instance(2));
    await registry.register(instance(1, { version: "2.0.0" }));
    const list = await registry.getService("helloworld");
    expect(ids(list)).toEqual(["helloworld-1", "helloworld-2"]);
    expect(list[0]!.version).toBe("2.0.0");
  });

  it("treats deregistering an unknown id or service as a no-op", async () => {
    const registry = createMemoryRegistry();
    await registry.register(instance(1));
    const before = await registry.getService("helloworld");
    await registry.deregister({ name: "helloworld", id: "nope" });
    await registry.deregister({ name: "elsewhere", id: "helloworld-1" });
    expect(await registry.getService("helloworld")).toBe(before);
  });

  it("lists the services that have instances, sorted", async () => {
    const registry = createMemoryRegistry();
    await registry.register(instance(1, {}, "zeta"));
    await registry.register(instance(1, {}, "alpha"));
    registry.watch("watched-only");
    expect(registry.services()).toEqual(["alpha", "zeta"]);
    await registry.deregister(instance(1, {}, "zeta"));
    expect(registry.services()).toEqual(["alpha"]);
  });

  it("hands out frozen lists and instances that consumers cannot change", async () => {
    const registry = createMemoryRegistry();
    await registry.register(instance(1));
    const list = await registry.getService("helloworld");
    const [first] = list as ServiceInstance[];
    expect(Object.isFrozen(list)).toBe(true);
    expect(Object.isFrozen(first)).toBe(true);
    expect(Object.isFrozen(first!.endpoints)).toBe(true);
    expect(Object.isFrozen(first!.metadata)).toBe(true);
    expect(() => (list as ServiceInstance[]).push(instance(9))).toThrow(TypeError);
    expect(() => ((first!.metadata as Record<string, string>).zone = "x")).toThrow(TypeError);
    expect(ids(await registry.getService("helloworld"))).toEqual(["helloworld-1"]);
  });

  it("keeps its own copy, so changing the registered object later changes nothing", async () => {
    const registry = createMemoryRegistry();
    const mine = { ...instance(1), metadata: { zone: "a" }, endpoints: ["http://10.0.0.1:80"] };
    await registry.register(mine);
    mine.metadata.zone = "b";
    mine.endpoints.push("http://10.0.0.2:80");
    const [stored] = await registry.getService("helloworld");
    expect(stored!.metadata.zone).toBe("a");
    expect(stored!.endpoints).toEqual(["http://10.0.0.1:80"]);
  });

  it("stores a __proto__ metadata key as plain data in a null-prototype object", async () => {
    const registry = createMemoryRegistry();
    const metadata = JSON.parse('{"__proto__": "polluted", "isAdmin": "no"}') as Record<string, string>;
    await registry.register(instance(1, { metadata }));
    const [stored] = await registry.getService("helloworld");
    expect(Object.getPrototypeOf(stored!.metadata)).toBeNull();
    expect(Object.keys(stored!.metadata).sort()).toEqual(["__proto__", "isAdmin"]);
    expect(Object.getOwnPropertyDescriptor(stored!.metadata, "__proto__")?.value).toBe("polluted");
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
  });

  it("accepts an empty version and empty metadata, and endpoints of any scheme with a host", async () => {
    const registry = createMemoryRegistry();
    const plain = instance(1, { version: "", metadata: {}, endpoints: ["tcp://[::1]:7000"] });
    await expect(registry.register(plain)).resolves.toBeUndefined();
    expect((await registry.getService("helloworld"))[0]).toMatchObject({
      version: "",
      endpoints: plain.endpoints,
    });
  });

  it("rejects getService and watch of a service name that is not a non-empty string", async () => {
    const registry = createMemoryRegistry();
    await expect(registry.getService("")).rejects.toThrow(/memory registry: getService: the service name/);
    expect(() => registry.watch(42 as unknown as string)).toThrow(InvalidArgumentError);
  });

  it("rejects a call whose signal is already aborted, and changes nothing", async () => {
    const registry = createMemoryRegistry();
    const reason = new Error("gave up");
    await expect(registry.register(instance(1), { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    expect(await registry.getService("helloworld")).toEqual([]);
  });
});

describe("memory registry: validation leaves the registry unchanged", () => {
  const cases: [string, unknown, RegExp][] = [
    [
      "a missing id",
      { ...instance(5), id: undefined },
      /instance\.id must be a non-empty string, got undefined/,
    ],
    ["an empty id", instance(5, { id: "" }), /instance\.id must be a non-empty string, got ""/],
    ["an empty name", instance(5, { name: "" }), /instance\.name must be a non-empty string/],
    [
      "a numeric version",
      instance(5, { version: 2 as unknown as string }),
      /instance\.version must be a string/,
    ],
    [
      "array metadata",
      instance(5, { metadata: [] as never }),
      /instance\.metadata must be an object of strings/,
    ],
    [
      "a non-string metadata value",
      instance(5, { metadata: { weight: 10 } as never }),
      /metadata\["weight"\]/,
    ],
    ["no endpoints", instance(5, { endpoints: [] }), /instance\.endpoints must be a non-empty array/],
    ["endpoints as a string", instance(5, { endpoints: "http://a:1" as never }), /non-empty array of URLs/],
    ["an endpoint without a scheme", instance(5, { endpoints: ["10.0.0.5:8000"] }), /endpoints\[0\]/],
    [
      "an endpoint without a host",
      instance(5, { endpoints: ["http://a:1", "unix:/tmp/s"] }),
      /endpoints\[1\].*no host/,
    ],
    [
      "a non-string endpoint",
      instance(5, { endpoints: [8000 as never] }),
      /endpoints\[0\] must be a URL string/,
    ],
    ["null", null, /instance must be an object, got null/],
  ];

  for (const [what, bad, message] of cases) {
    it(`refuses ${what} with InvalidArgumentError`, async () => {
      const registry = createMemoryRegistry();
      await registry.register(instance(1));
      const before = await registry.getService("helloworld");
      const watcher = registry.watch("helloworld");
      await watcher.next();
      const woken = track(watcher.next());
      const error = await registry.register(bad as ServiceInstance).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect((error as Error).message).toMatch(/^memory registry: register: /);
      expect((error as Error).message).toMatch(message);
      await flushMicrotasks();
      expect(woken.settled).toBe(false);
      expect(await registry.getService("helloworld")).toBe(before);
      expect(registry.services()).toEqual(["helloworld"]);
    });
  }

  it("refuses a bad per-call ttlMs and keeps the previous instance", async () => {
    const registry = createMemoryRegistry();
    await registry.register(instance(1));
    for (const ttlMs of [0, -5, Number.NaN, "1000" as unknown as number]) {
      await expect(registry.register(instance(1, { version: "9" }), { ttlMs })).rejects.toThrow(
        /ttlMs must be/,
      );
    }
    expect((await registry.getService("helloworld"))[0]!.version).toBe("1.0.0");
  });

  it("refuses a deregister or heartbeat without name and id", async () => {
    const registry = createMemoryRegistry();
    await expect(registry.deregister({ name: "helloworld" } as ServiceInstance)).rejects.toThrow(
      InvalidArgumentError,
    );
    expect(() => registry.heartbeat({ id: "x", name: "" })).toThrow(/heartbeat: instance\.name/);
  });

  it("refuses bad registry options", () => {
    expect(() => createMemoryRegistry({ ttlMs: 0 })).toThrow(InvalidArgumentError);
    expect(() => createMemoryRegistry({ clock: {} as never })).toThrow(/clock must have now\(\)/);
  });
});

describe("memory registry: close()", () => {
  it("stops every watcher, drops every instance and refuses later use", async () => {
    const registry = createMemoryRegistry();
    await registry.register(instance(1));
    await registry.register(instance(1, {}, "other"));
    const [a, b] = [registry.watch("helloworld"), registry.watch("other")];
    await a.next();
    await b.next();
    const pending = [a.next(), b.next()].map((p) => p.catch((e: unknown) => e));
    await registry.close();
    for (const error of await Promise.all(pending)) {
      expect(error).toBeInstanceOf(WatcherStoppedError);
      expect((error as Error).message).toMatch(/because the registry was closed/);
    }
    expect(registry.services()).toEqual([]);
    const refused = await registry.register(instance(2)).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RegistryError);
    expect((refused as RegistryError).retryable).toBe(false);
    await expect(registry.getService("helloworld")).rejects.toThrow(/getService was called after close\(\)/);
    await expect(registry.watch("helloworld").next()).rejects.toThrow(WatcherStoppedError);
    await expect(registry.deregister(instance(1))).resolves.toBeUndefined();
    expect(registry.heartbeat(instance(1))).toBe(false);
    await expect(registry.close()).resolves.toBeUndefined();
  });
});
