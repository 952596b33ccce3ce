import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createClient, type HttpClient } from "@switchyard/transport-http";
import { describe, expect, it } from "vitest";
import { createEtcdRegistry, type EtcdRegistry } from "../src/index.js";
import { useEtcd } from "./etcd-server.js";
import { recordingLogger, uniqueNamespace } from "./helpers.js";

const WAIT_MS = 10_000;

interface Backend {
  readonly name: string;
  readonly url: string;
  readonly server: Server;
}

const { etcd, cleanups } = useEtcd();

async function backend(name: string): Promise<Backend> {
  const server = createServer((_, res) => res.end(name));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { name, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/** Who served each of `count` requests. */
async function servedBy(client: HttpClient, count: number): Promise<Set<string>> {
  const names = new Set<string>();
  for (let i = 0; i < count; i++) {
    const response = await client.request("/");
    names.add(await response.body.text());
  }
  return names;
}

/** Sends batches of requests until a batch is served by exactly `expected`, within `ms`. */
async function eventuallyServedBy(client: HttpClient, expected: string[], ms: number): Promise<void> {
  const deadline = performance.now() + ms;
  let last = new Set<string>();
  while (performance.now() < deadline) {
    last = await servedBy(client, 30);
    if (last.size === expected.length && expected.every((name) => last.has(name))) return;
  }
  throw new Error(`requests were not served by [${expected}] within ${ms} ms; last batch: [${[...last]}]`);
}

function registry(namespace: string): EtcdRegistry {
  const created = createEtcdRegistry({
    endpoints: etcd.endpoint,
    namespace,
    backoff: { initialMs: 50, maxMs: 300 },
    logger: recordingLogger(),
  });
  cleanups.push(() => created.close());
  return created;
}

describe("transport-http over etcd discovery", { timeout: 40_000 }, () => {
  it("routes requests to the instances registered in etcd, follows changes, and keeps serving while etcd restarts", async () => {
    const namespace = uniqueNamespace();
    const [a, b, c] = [await backend("a"), await backend("b"), await backend("c")];
    const registrar = registry(namespace);
    const discovery = registry(namespace);
    const as = (x: Backend) => ({
      id: x.name,
      name: "web",
      version: "1.0.0",
      metadata: {},
      endpoints: [x.url],
    });
    await registrar.register(as(a));
    await registrar.register(as(b));

    const client = await createClient({
      endpoint: "discovery:///web",
      discovery,
      block: { timeoutMs: WAIT_MS },
      logger: recordingLogger(),
    });
    cleanups.push(() => client.destroy());
    expect([...(await servedBy(client, 20))].sort()).toEqual(["a", "b"]);

    await registrar.register(as(c));
    await eventuallyServedBy(client, ["a", "b", "c"], WAIT_MS);
    await registrar.deregister(as(a));
    await eventuallyServedBy(client, ["b", "c"], WAIT_MS);

    await etcd.kill();
    expect([...(await servedBy(client, 30))].sort()).toEqual(["b", "c"]); // the last good list
    await etcd.start();
    await registrar.register(as(a));
    await eventuallyServedBy(client, ["a", "b", "c"], WAIT_MS);
  });
});
