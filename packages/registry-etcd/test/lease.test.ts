import { describe, expect, it } from "vitest";
import { createEtcdRegistry, type EtcdRegistry, type EtcdRegistryOptions } from "../src/index.js";
import { useEtcd } from "./etcd-server.js";
import { hasIds, instance, recordingLogger, uniqueNamespace, until } from "./helpers.js";
import { startRegistrant } from "./registrant.js";
import { startProxy } from "./tcp-proxy.js";

// etcd 3.4 with default election timeouts raises any lease TTL below 2 s to 2 s.
const TTL_MS = 2000;
const WAIT_MS = 15_000;
const FAST_RETRY = { initialMs: 50, maxMs: 300 };

const { etcd, cleanups } = useEtcd();

function registry(options: EtcdRegistryOptions = {}): EtcdRegistry {
  const created = createEtcdRegistry({ endpoints: etcd.endpoint, backoff: FAST_RETRY, ...options });
  cleanups.push(() => created.close());
  return created;
}

async function leaseOf(key: string): Promise<string> {
  const response = await etcd.admin.kv.range({ key: Buffer.from(key) });
  return response.kvs[0]?.lease ?? "none";
}

describe("etcd registrar: leases", { timeout: 30_000 }, () => {
  it("loses the instance of a crashed process once its lease expires", async () => {
    const namespace = uniqueNamespace();
    const watcher = registry({ namespace }).watch("api");
    const registrant = await startRegistrant(etcd.endpoint, namespace, "api", "api-1", TTL_MS);
    cleanups.push(() => registrant.crash());
    await until(watcher, hasIds("api-1"), WAIT_MS, "the instance of the running process");
    await registrant.crash();
    const { seen } = await until(watcher, hasIds(), WAIT_MS, "the list without the crashed process");
    expect(seen.at(-1)).toEqual([]);
  });

  it("registers again on its own when its connection was cut for longer than the lease", async () => {
    const namespace = uniqueNamespace();
    const logger = recordingLogger();
    const cable = await startProxy(etcd.port);
    cleanups.push(() => cable.close());
    const registrar = registry({ namespace, logger, endpoints: cable.endpoint, leaseTtlMs: TTL_MS });
    const watcher = registry({ namespace }).watch("api");
    await registrar.register(instance("api", 1));
    await until(watcher, hasIds("api-1"), WAIT_MS, "the registered instance");

    cable.cut();
    await until(watcher, hasIds(), WAIT_MS, "the list once the lease expired");
    cable.restore();
    await until(watcher, hasIds("api-1"), WAIT_MS, "the instance registered again");
    await logger.waitFor(/etcd: the lease of instance "api-1" of "api" was lost/, WAIT_MS);
    await logger.waitFor(/etcd: instance "api-1" of "api" is registered again under a new lease/, WAIT_MS);
  });

  it("keeps one re-registration going, with the newest content, when register is called while its lease is lost", async () => {
    const namespace = uniqueNamespace();
    const logger = recordingLogger();
    const cable = await startProxy(etcd.port);
    cleanups.push(() => cable.close());
    const registrar = registry({ namespace, logger, endpoints: cable.endpoint, leaseTtlMs: TTL_MS });
    const watcher = registry({ namespace }).watch("api");
    await registrar.register(instance("api", 1));
    await until(watcher, hasIds("api-1"), WAIT_MS, "the registered instance");

    cable.cut();
    await logger.waitFor(/etcd: the lease of instance "api-1" of "api" was lost/, WAIT_MS);
    const during = await registrar
      .register(instance("api", 1, { version: "2.0.0" }))
      .catch((e: unknown) => e);
    expect(during).toMatchObject({ code: "REGISTRY_ERROR", retryable: true });
    cable.restore();
    const v2 = (list: readonly { id: string; version: string }[]) =>
      list.length === 1 && list[0]?.version === "2.0.0";
    await until(watcher, v2, WAIT_MS, "api-1 at version 2.0.0, registered again in the background");
    const keys = await etcd.admin.getAll().prefix(`${namespace}/`).keys();
    expect(keys).toEqual([`${namespace}/api/api-1`]);
  });

  it("registers again under a new lease when its lease is revoked behind its back", async () => {
    const namespace = uniqueNamespace();
    const logger = recordingLogger();
    const registrar = registry({ namespace, logger, leaseTtlMs: TTL_MS });
    const watcher = registry({ namespace }).watch("api");
    await registrar.register(instance("api", 1));
    await until(watcher, hasIds("api-1"), WAIT_MS, "the registered instance");
    const first = await leaseOf(`${namespace}/api/api-1`);

    await etcd.admin.leaseClient.leaseRevoke({ ID: first });
    await until(watcher, hasIds(), WAIT_MS, "the list once the lease was revoked");
    await until(watcher, hasIds("api-1"), WAIT_MS, "the instance registered again");
    const second = await leaseOf(`${namespace}/api/api-1`);
    expect(second).not.toBe(first);
    expect(second).not.toBe("none");
  });

  it("registers again after etcd was down for longer than the lease, and revokes the old lease", async () => {
    const namespace = uniqueNamespace();
    const logger = recordingLogger();
    const registrar = registry({ namespace, logger, leaseTtlMs: TTL_MS });
    await registrar.register(instance("api", 1));
    const key = `${namespace}/api/api-1`;
    const first = await leaseOf(key);

    await etcd.kill();
    await logger.waitFor(/etcd: the lease of instance "api-1" of "api" was lost/, WAIT_MS);
    await etcd.start();
    await logger.waitFor(/etcd: instance "api-1" of "api" is registered again under a new lease/, WAIT_MS);

    const second = await leaseOf(key);
    expect(second).not.toBe(first);
    expect(second).not.toBe("none");
    const old = await etcd.admin.leaseClient.leaseTimeToLive({ ID: first });
    expect(old.TTL).toBe("-1"); // revoked (or expired): etcd no longer knows it
  });
});
