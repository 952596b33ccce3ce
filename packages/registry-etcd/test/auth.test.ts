import { RegistryError } from "@switchyard/api";
import { Range } from "etcd3";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createEtcdRegistry, type EtcdRegistry, type EtcdRegistryOptions } from "../src/index.js";
import { type EtcdServer, startEtcd } from "./etcd-server.js";
import { hasIds, instance, recordingLogger, until } from "./helpers.js";

// An etcd with authentication on: user "svc" may read and write /auth-ns/ only.
const NAMESPACE = "/auth-ns";
const PASSWORD = "svc-pw-9f3a";
const WAIT_MS = 10_000;

let etcd: EtcdServer;
const cleanups: (() => Promise<void> | void)[] = [];

beforeAll(async () => {
  etcd = await startEtcd();
  const { admin } = etcd;
  await admin.role("root").create();
  await admin.user("root").create("root-pw");
  await admin.user("root").addRole("root");
  await admin.role("svc").create();
  await admin.role("svc").grant({ permission: "Readwrite", range: Range.prefix(`${NAMESPACE}/`) });
  await admin.user("svc").create(PASSWORD);
  await admin.user("svc").addRole("svc");
  await admin.auth.authEnable();
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterAll(() => etcd?.stop());

function registry(options: EtcdRegistryOptions): EtcdRegistry {
  const created = createEtcdRegistry({ endpoints: etcd.endpoint, requestTimeoutMs: 3000, ...options });
  cleanups.push(() => created.close());
  return created;
}

describe("etcd registry with authentication", { timeout: 20_000 }, () => {
  it("registers, reads and watches as a user allowed on the namespace", async () => {
    const reg = registry({ namespace: NAMESPACE, auth: { username: "svc", password: PASSWORD } });
    await reg.register(instance("api", 1));
    await until(reg.watch("api"), hasIds("api-1"), WAIT_MS, "the registered instance");
    expect((await reg.getService("api")).map((i) => i.id)).toEqual(["api-1"]);
  });

  it("rejects a wrong password with a RegistryError that is not retryable and holds no password", async () => {
    const wrong = "not-the-password";
    const logger = recordingLogger();
    const reg = registry({ namespace: NAMESPACE, logger, auth: { username: "svc", password: wrong } });
    const error = await reg.getService("api").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as RegistryError).retryable).toBe(false);
    expect((error as Error).message).toMatch(/check the username and password of the auth option/);
    expect((error as Error).message).not.toContain(wrong);
    const watcher = reg.watch("api");
    await logger.waitFor(/etcd: reading "api" failed/, WAIT_MS);
    await watcher.stop();
    expect(logger.lines.join("\n")).not.toContain(wrong);
  });

  it("rejects register outside the permitted prefix with a RegistryError that says to grant access", async () => {
    const reg = registry({ namespace: "/elsewhere", auth: { username: "svc", password: PASSWORD } });
    const error = await reg.register(instance("api", 1)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as Error).message).toMatch(
      /grant the etcd user read and write access to the namespace prefix/,
    );
    expect((error as RegistryError).retryable).toBe(false);
  });
});
