import { InvalidArgumentError, RegistryError, type ServiceInstance } from "@switchyard/api";
import { describe, expect, it } from "vitest";
import { createEtcdRegistry, type EtcdRegistry, type EtcdRegistryOptions } from "../src/index.js";
import { freePort, useEtcd } from "./etcd-server.js";
import { hasIds, ids, instance, recordingLogger, uniqueNamespace, until, within } from "./helpers.js";

const WAIT_MS = 10_000;

const { etcd, cleanups } = useEtcd();

function registry(options: EtcdRegistryOptions = {}): EtcdRegistry {
  const created = createEtcdRegistry({ endpoints: etcd.endpoint, ...options });
  cleanups.push(() => created.close());
  return created;
}

async function stored(key: string): Promise<{ value: unknown; lease: string } | undefined> {
  const response = await etcd.admin.kv.range({ key: Buffer.from(key) });
  const kv = response.kvs[0];
  return kv && { value: JSON.parse(kv.value.toString()), lease: kv.lease };
}

describe("etcd registry: Kratos's layout", { timeout: 20_000 }, () => {
  it("stores each instance as Kratos's JSON under <namespace>/<service>/<id>, on a lease with the TTL", async () => {
    const namespace = uniqueNamespace();
    const one = instance("api", 1, { metadata: { weight: "10" }, endpoints: ["grpc://10.0.0.1:9000"] });
    await registry({ namespace, leaseTtlMs: 7000 }).register(one);
    const entry = await stored(`${namespace}/api/api-1`);
    expect(entry?.value).toEqual({
      id: "api-1",
      name: "api",
      version: "1.0.0",
      metadata: { weight: "10" },
      endpoints: ["grpc://10.0.0.1:9000"],
    });
    const lease = await etcd.admin.leaseClient.leaseTimeToLive({ ID: entry!.lease });
    expect(lease.grantedTTL).toBe("7");
  });

  it("uses /microservices, Kratos's namespace, by default", async () => {
    const service = `default-ns-${uniqueNamespace().slice(6)}`;
    await registry().register(instance(service, 1));
    expect(await stored(`/microservices/${service}/${service}-1`)).toBeDefined();
  });

  it("reads what a Go Kratos service writes, with a null metadata map, and keeps unknown fields out", async () => {
    const namespace = uniqueNamespace();
    const value =
      '{"id":"go-1","name":"greeter","version":"v1","metadata":null,"endpoints":["grpc://10.0.0.9:9000"],"extra":1}';
    await etcd.admin.put(`${namespace}/greeter/go-1`).value(value);
    const [found] = await registry({ namespace }).getService("greeter");
    expect(found).toEqual({
      id: "go-1",
      name: "greeter",
      version: "v1",
      metadata: {},
      endpoints: ["grpc://10.0.0.9:9000"],
    });
    expect(Object.isFrozen(found)).toBe(true);
    expect(Object.getPrototypeOf(found!.metadata)).toBeNull();
  });

  it("keeps a service apart from another whose name starts the same", async () => {
    const namespace = uniqueNamespace();
    const reg = registry({ namespace });
    await reg.register(instance("api", 1));
    await reg.register(instance("api-gateway", 1));
    expect(ids(await reg.getService("api"))).toEqual(["api-1"]);
  });

  it("skips an entry whose name or id disagrees with its key, and says why", async () => {
    const namespace = uniqueNamespace();
    const logger = recordingLogger();
    await etcd.admin.put(`${namespace}/api/x-1`).value(JSON.stringify(instance("other", 1, { id: "x-1" })));
    await etcd.admin.put(`${namespace}/api/x-2`).value(JSON.stringify(instance("api", 1, { id: "x-3" })));
    expect(await registry({ namespace, logger }).getService("api")).toEqual([]);
    expect(logger.lines.join("\n")).toMatch(/x-1": its name "other" is not "api"/);
    expect(logger.lines.join("\n")).toMatch(
      /x-2": its id "x-3" differs from the one its key ends with, "x-2"/,
    );
  });
});

describe("etcd registry: register and deregister", { timeout: 20_000 }, () => {
  it("replaces the content of an id registered again, on the same lease", async () => {
    const namespace = uniqueNamespace();
    const reg = registry({ namespace });
    await reg.register(instance("api", 1));
    const before = await stored(`${namespace}/api/api-1`);
    await reg.register(instance("api", 1, { version: "2.0.0" }));
    const after = await stored(`${namespace}/api/api-1`);
    expect(after?.value).toMatchObject({ version: "2.0.0" });
    expect(after?.lease).toBe(before?.lease);
  });

  it("deletes the key and revokes the lease on deregister", async () => {
    const namespace = uniqueNamespace();
    const reg = registry({ namespace });
    await reg.register(instance("api", 1));
    const { lease } = (await stored(`${namespace}/api/api-1`))!;
    await reg.deregister({ name: "api", id: "api-1" });
    expect(await stored(`${namespace}/api/api-1`)).toBeUndefined();
    expect((await etcd.admin.leaseClient.leaseTimeToLive({ ID: lease })).TTL).toBe("-1");
  });

  it("deletes the key of an instance another process registered", async () => {
    const namespace = uniqueNamespace();
    await registry({ namespace }).register(instance("api", 1));
    await registry({ namespace }).deregister(instance("api", 1));
    expect(await stored(`${namespace}/api/api-1`)).toBeUndefined();
  });

  it("deregisters everything and stops its watchers on close(), then refuses calls", async () => {
    const namespace = uniqueNamespace();
    const reg = createEtcdRegistry({ endpoints: etcd.endpoint, namespace });
    await reg.register(instance("api", 1));
    const watcher = reg.watch("api");
    await until(watcher, hasIds("api-1"), WAIT_MS, "the registered instance");
    await reg.close();
    expect(await stored(`${namespace}/api/api-1`)).toBeUndefined();
    await expect(watcher.next()).rejects.toMatchObject({ code: "WATCHER_STOPPED" });
    await expect(reg.register(instance("api", 2))).rejects.toBeInstanceOf(RegistryError);
    await expect(reg.getService("api")).rejects.toThrow(/getService was called after close\(\)/);
    await expect(reg.deregister(instance("api", 1))).resolves.toBeUndefined();
    await expect(reg.watch("api").next()).rejects.toMatchObject({ code: "WATCHER_STOPPED" });
    await reg.close();
  });

  it("says the registry was closed in the errors of its watchers, those it had and those watched after", async () => {
    const reg = createEtcdRegistry({ endpoints: etcd.endpoint, namespace: uniqueNamespace() });
    const watcher = reg.watch("api");
    await reg.close();
    const why =
      /^etcd: the watcher of "api" no longer yields because the registry was closed; call watch\(\) again/;
    await expect(watcher.next()).rejects.toThrow(why);
    await expect(reg.watch("api").next()).rejects.toThrow(why);
  });

  const invalid: [string, unknown, RegExp][] = [
    [
      "an empty id",
      instance("api", 1, { id: "" }),
      /etcd: register: instance\.id must be a non-empty string/,
    ],
    ["a numeric version", instance("api", 1, { version: 2 as never }), /instance\.version must be a string/],
    ["a non-string metadata value", instance("api", 1, { metadata: { w: 1 } as never }), /metadata\["w"\]/],
    ["no endpoints", instance("api", 1, { endpoints: [] }), /instance\.endpoints must be a non-empty array/],
    ["an endpoint without a scheme", instance("api", 1, { endpoints: ["10.0.0.1:80"] }), /endpoints\[0\]/],
    [
      "a service name with a slash",
      instance("a/b", 1),
      /the service name must be a non-empty string without "\/"/,
    ],
  ];
  it.each(invalid)("rejects an instance with %s, writing nothing", async (_, bad, message) => {
    const namespace = uniqueNamespace();
    const error = await registry({ namespace })
      .register(bad as ServiceInstance)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as Error).message).toMatch(message);
    const all = await etcd.admin.getAll().prefix(`${namespace}/`).keys();
    expect(all).toEqual([]);
  });

  it("rejects getService and watch of a service name that is empty or holds a slash", async () => {
    const reg = registry();
    await expect(reg.getService("")).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(() => reg.watch("a/b")).toThrow(InvalidArgumentError);
  });
});

describe("etcd registry: when etcd cannot be reached", { timeout: 20_000 }, () => {
  it("rejects getService and register with a retryable RegistryError that names the endpoint", async () => {
    const down = `http://127.0.0.1:${await freePort()}`; // nothing listens there
    const reg = registry({ endpoints: down, requestTimeoutMs: 2000 });
    const read = await within(
      reg.getService("api").catch((e: unknown) => e),
      WAIT_MS,
      "getService",
    );
    expect(read).toBeInstanceOf(RegistryError);
    expect((read as RegistryError).retryable).toBe(true);
    expect((read as Error).message).toMatch(
      new RegExp(`^etcd: reading "api" failed: .*check that etcd answers at ${down}`),
    );
    const write = await within(
      reg.register(instance("api", 1)).catch((e: unknown) => e),
      WAIT_MS,
      "register",
    );
    expect(write).toBeInstanceOf(RegistryError);
    expect((write as Error).message).toMatch(/^etcd: registering instance "api-1" of "api" failed/);
  });
});
