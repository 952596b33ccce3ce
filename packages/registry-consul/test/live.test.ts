// The scenarios of the double's suites, against a real Consul agent: set CONSUL_HTTP_ADDR (and
// CONSUL_HTTP_TOKEN with ACLs) to run them, e.g. against `consul agent -dev`. A real agent runs on
// real time, so these tests wait (bounded) on wall-clock time, unlike the double's.
import { randomUUID } from "node:crypto";
import { connect, createServer, type Server, type Socket } from "node:net";
import type { Logger, RegistryError, ServiceInstance, Watcher } from "@switchyard/api";
import { describeRegistryConformance } from "@switchyard/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { type ConsulRegistry, type ConsulRegistryOptions, createConsulRegistry } from "../src/index.js";

const address = process.env.CONSUL_HTTP_ADDR;
if (!address) {
  console.log(
    "registry-consul live suite skipped: CONSUL_HTTP_ADDR is not set (start `consul agent -dev` and set it)",
  );
} else if (!process.env.CONSUL_LIVE_ALLOW_RESTORE) {
  console.log(
    "registry-consul live index-reset test skipped: it restores a snapshot, rewinding the whole agent; " +
      "set CONSUL_LIVE_ALLOW_RESTORE=1 on a throwaway agent to run it",
  );
}

const quiet: Logger = { warn: () => {} };
const opened: ConsulRegistry[] = [];
const registered: Array<[ConsulRegistry, ServiceInstance]> = [];

function registry(options: ConsulRegistryOptions = {}): ConsulRegistry {
  const created = createConsulRegistry({ logger: quiet, waitMs: 5000, ...options });
  opened.push(created);
  return created;
}

async function register(on: ConsulRegistry, instance: ServiceInstance): Promise<void> {
  registered.push([on, instance]);
  await on.register(instance);
}

function sample(service: string, n: number): ServiceInstance {
  return {
    id: `${service}-${n}`,
    name: service,
    version: "1.0.0",
    metadata: { n: String(n) },
    endpoints: [`http://127.0.0.1:${18000 + n}`],
  };
}

/** Calls next() until `accept` holds, failing after `ms` of wall-clock time. */
async function until(watcher: Watcher, accept: (ids: string[]) => boolean, ms = 15_000): Promise<string[]> {
  const deadline = performance.now() + ms;
  for (;;) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no accepted list within ${ms} ms`)),
        Math.max(0, deadline - performance.now()),
      );
    });
    const list = await Promise.race([watcher.next(), late]).finally(() => clearTimeout(timer));
    const ids = list.map((i) => i.id).sort();
    if (accept(ids)) return ids;
  }
}

const same =
  (...expected: string[]) =>
  (ids: string[]) =>
    JSON.stringify(ids) === JSON.stringify(expected.sort());

async function agent(path: string, method = "PUT"): Promise<Response> {
  const base = /^https?:\/\//.test(address ?? "") ? address : `http://${address}`;
  const token = process.env.CONSUL_HTTP_TOKEN;
  return fetch(`${base}${path}`, { method, headers: token ? { "X-Consul-Token": token } : {} });
}

/** A TCP proxy to the agent that a test can take down and bring back. */
async function startProxy(): Promise<{ address: string; down(): Promise<void>; up(): Promise<void> }> {
  const target = new URL(/^https?:\/\//.test(address ?? "") ? address! : `http://${address}`);
  const sockets = new Set<Socket>();
  let server: Server;
  let port = 0;
  const listen = () =>
    new Promise<void>((resolve) => {
      server = createServer((client) => {
        const upstream = connect(Number(target.port || 8500), target.hostname);
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on("close", () => sockets.delete(s));
        }
        client.pipe(upstream).pipe(client);
        client.on("error", () => upstream.destroy());
        upstream.on("error", () => client.destroy());
      });
      server.listen(port, "127.0.0.1", () => {
        port = (server.address() as { port: number }).port;
        resolve();
      });
    });
  await listen();
  return {
    address: `127.0.0.1:${port}`,
    down: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
    up: listen,
  };
}

afterEach(async () => {
  await Promise.allSettled(registered.splice(0).map(([on, instance]) => on.deregister(instance)));
  await Promise.allSettled(opened.splice(0).map((r) => r.close()));
});

describe.skipIf(!address)("registry-consul against a real Consul agent", { timeout: 60_000 }, () => {
  const service = () => `live-${randomUUID().slice(0, 8)}`;

  it("registers, discovers, and watches adds, removals and health flips", async () => {
    const name = service();
    const serving = registry();
    await register(serving, sample(name, 1));
    const watcher = registry().watch(name);
    await until(watcher, same(`${name}-1`));
    await register(serving, sample(name, 2));
    await until(watcher, same(`${name}-1`, `${name}-2`));
    expect((await agent(`/v1/agent/check/fail/service:${name}-1`)).status).toBe(200);
    await until(watcher, same(`${name}-2`));
    await serving.deregister(sample(name, 2));
    await until(watcher, (ids) => ids.length === 0);
    await watcher.stop();
  });

  it("keeps an instance passing with its heartbeat, and drops it once the heartbeat stops", async () => {
    const name = service();
    const serving = registry({ heartbeat: { ttlMs: 3000, intervalMs: 1000 } });
    await register(serving, sample(name, 1));
    const watcher = registry().watch(name);
    await until(watcher, same(`${name}-1`));
    await new Promise((resolve) => setTimeout(resolve, 5000)); // longer than the TTL: the heartbeat holds it
    expect((await registry().getService(name)).map((i) => i.id)).toEqual([`${name}-1`]);
    await serving.close();
    await until(watcher, (ids) => ids.length === 0, 10_000);
    await watcher.stop();
  });

  it("keeps the last list while the agent is unreachable, and recovers without a restart", async () => {
    const name = service();
    const proxy = await startProxy();
    await register(registry(), sample(name, 1));
    const errors: RegistryError[] = [];
    const watcher = registry({
      address: proxy.address,
      onError: (e) => errors.push(e),
      backoff: { initialMs: 200, maxMs: 400 },
    }).watch(name);
    await until(watcher, same(`${name}-1`));
    const next = watcher.next();
    await proxy.down();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(errors.length).toBeGreaterThan(0);
    await proxy.up();
    await register(registry(), sample(name, 2));
    expect((await next).map((i) => i.id).sort()).toEqual([`${name}-1`, `${name}-2`]);
    await watcher.stop();
  });

  it("stops within 100 ms during a blocking query", async () => {
    const watcher = registry({ waitMs: 600_000 }).watch(service());
    await watcher.next();
    const next = watcher.next().catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 200)); // let the blocking query reach the agent
    const started = performance.now();
    await watcher.stop();
    await next;
    expect(performance.now() - started).toBeLessThan(100);
  });

  it("maps registrations as Kratos does, readable from the agent", async () => {
    const name = service();
    await register(registry({ tags: ["blue"] }), {
      ...sample(name, 1),
      endpoints: ["http://127.0.0.1:18001", "grpc://127.0.0.1:19001"],
    });
    const stored = (await (await agent(`/v1/agent/service/${name}-1`, "GET")).json()) as Record<
      string,
      unknown
    >;
    expect(stored).toMatchObject({
      Tags: ["version=1.0.0", "blue"],
      Meta: { n: "1" },
      Address: "127.0.0.1",
      Port: 18001,
      TaggedAddresses: expect.objectContaining({
        http: { Address: "http://127.0.0.1:18001", Port: 18001 },
        grpc: { Address: "grpc://127.0.0.1:19001", Port: 19001 },
      }),
    });
  });

  // Index reset needs a snapshot restore, which rewinds the whole agent: opt in on a throwaway agent.
  it.skipIf(!process.env.CONSUL_LIVE_ALLOW_RESTORE)(
    "sees changes after the index goes backwards (snapshot restore)",
    async () => {
      const name = service();
      const serving = registry({ heartbeat: false });
      const snapshot = await (await agent("/v1/snapshot", "GET")).arrayBuffer();
      for (let n = 1; n <= 3; n++) await register(serving, sample(name, n));
      const watcher = registry({ waitMs: 2000 }).watch(name);
      await until(watcher, (ids) => ids.length === 3);
      const base = /^https?:\/\//.test(address ?? "") ? address : `http://${address}`;
      const token = process.env.CONSUL_HTTP_TOKEN;
      const restored = await fetch(`${base}/v1/snapshot`, {
        method: "PUT",
        body: snapshot,
        headers: token ? { "X-Consul-Token": token } : {},
      });
      expect(restored.status).toBe(200);
      await register(serving, sample(name, 9));
      await until(watcher, (ids) => ids.includes(`${name}-9`), 20_000);
      await watcher.stop();
    },
  );
});

if (address) {
  describeRegistryConformance({
    name: "registry-consul on a real Consul agent",
    create() {
      const live = createConsulRegistry({ logger: quiet, waitMs: 5000 });
      return { registrar: live, discovery: live, close: () => live.close() };
    },
    timeoutMs: 15_000,
  });
}
