import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { RegistryError } from "@switchyard/api";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createEtcdRegistry, type EtcdRegistry, type EtcdRegistryOptions } from "../src/index.js";
import { type EtcdServer, startEtcd } from "./etcd-server.js";
import { instance, recordingLogger, uniqueNamespace } from "./helpers.js";

// An etcd serving clients over TLS with a certificate for "etcd.test" only (so the client must
// set servername to dial it by IP), and asking clients for a certificate of the same test CA.

let dir: string;
let pem: { ca: Buffer; cert: Buffer; key: Buffer };
let etcd: EtcdServer;
const cleanups: (() => Promise<void> | void)[] = [];

function openssl(...args: string[]): void {
  try {
    execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
  } catch (error) {
    throw new Error(
      `the TLS test makes its certificates with openssl (apt-get install openssl): ${String(error)}`,
    );
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "switchyard-etcd-tls-"));
  const days = ["-days", "1"];
  openssl(
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    "ca.key",
    "-out",
    "ca.crt",
    ...days,
    "-subj",
    "/CN=test-ca",
  );
  await writeFile(join(dir, "server.ext"), "subjectAltName=DNS:etcd.test\nextendedKeyUsage=serverAuth\n");
  await writeFile(join(dir, "client.ext"), "extendedKeyUsage=clientAuth\n");
  for (const [name, cn] of [
    ["server", "etcd.test"],
    ["client", "svc"],
  ] as const) {
    openssl(
      "req",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      `${name}.key`,
      "-out",
      `${name}.csr`,
      "-subj",
      `/CN=${cn}`,
    );
    openssl(
      "x509",
      "-req",
      "-in",
      `${name}.csr`,
      "-CA",
      "ca.crt",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-out",
      `${name}.crt`,
      ...days,
      "-extfile",
      `${name}.ext`,
    );
  }
  const read = (file: string) => readFile(join(dir, file));
  pem = { ca: await read("ca.crt"), cert: await read("client.crt"), key: await read("client.key") };
  etcd = await startEtcd({
    scheme: "https",
    args: [
      ...["--cert-file", join(dir, "server.crt"), "--key-file", join(dir, "server.key")],
      ...["--client-cert-auth", "--trusted-ca-file", join(dir, "ca.crt")],
    ],
  });
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterAll(async () => {
  await etcd?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function registry(options: EtcdRegistryOptions): EtcdRegistry {
  const created = createEtcdRegistry({ endpoints: etcd.endpoint, requestTimeoutMs: 3000, ...options });
  cleanups.push(() => created.close());
  return created;
}

describe("etcd registry over TLS", { timeout: 20_000 }, () => {
  it("registers and reads over https with the CA, a client certificate and the server's name", async () => {
    const namespace = uniqueNamespace();
    const reg = registry({ namespace, tls: { ...pem, servername: "etcd.test" } });
    await reg.register(instance("api", 1));
    expect((await reg.getService("api")).map((i) => i.id)).toEqual(["api-1"]);
  });

  it("fails with a RegistryError when it brings no client certificate", async () => {
    const reg = registry({
      namespace: uniqueNamespace(),
      logger: recordingLogger(),
      tls: { ca: pem.ca, servername: "etcd.test" },
    });
    const error = await reg.getService("api").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as Error).message).toMatch(/^etcd: reading "api" failed: /);
  });

  it("keeps the client key out of what console.log and JSON.stringify show of the registry and its watchers", async () => {
    const key = pem.key.toString("utf8"); // as text, the way a key read from an environment variable comes
    const reg = registry({ namespace: uniqueNamespace(), tls: { ...pem, key, servername: "etcd.test" } });
    const watcher = reg.watch("api");
    const keyLine = key.split("\n")[1]!;
    const deep = { depth: Number.POSITIVE_INFINITY, showHidden: true };
    for (const text of [inspect(reg, deep), JSON.stringify(reg), inspect(watcher, deep)]) {
      expect(text).not.toContain("PRIVATE KEY");
      expect(text).not.toContain(keyLine);
    }
    await watcher.stop();
  });
});
