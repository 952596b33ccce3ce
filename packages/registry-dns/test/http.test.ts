// transport-http on discovery:///api through the DNS discovery, against dnsmasq: A records of
// api.test, one loopback address per backend (127.0.0.2, .3, .4), all on one port.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createClient, type HttpClient } from "@switchyard/transport-http";
import { afterEach, describe, expect, it } from "vitest";
import { createDnsDiscovery } from "../src/index.js";
import { type Dnsmasq, startDnsmasq } from "./dnsmasq.js";
import { recordingLogger } from "./helpers.js";

const WAIT_MS = 10_000;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
}

/** Backends named a, b, c… on 127.0.0.2, .3, .4… sharing one port. */
async function backends(count: number): Promise<{ port: number; hosts: string[] }> {
  const hosts = Array.from({ length: count }, (_, i) => `127.0.0.${i + 2}`);
  for (let attempt = 1; ; attempt++) {
    const servers = hosts.map((_, i) => createServer((_, res) => res.end(String.fromCharCode(97 + i))));
    try {
      const port = await listen(servers[0]!, hosts[0]!, 0);
      for (let i = 1; i < count; i++) await listen(servers[i]!, hosts[i]!, port);
      cleanups.push(() =>
        Promise.all(
          servers.map(
            (server) =>
              new Promise<void>((resolve) => {
                server.closeAllConnections();
                server.close(() => resolve());
              }),
          ),
        ).then(() => {}),
      );
      return { port, hosts };
    } catch (error) {
      for (const server of servers) server.close();
      if (attempt >= 5) throw error;
    }
  }
}

async function servedBy(client: HttpClient, count: number): Promise<Set<string>> {
  const names = new Set<string>();
  for (let i = 0; i < count; i++) names.add(await (await client.request("/")).body.text());
  return names;
}

/** Sends batches of requests until one is served by exactly `expected`, within `WAIT_MS`. */
async function eventuallyServedBy(client: HttpClient, expected: string[]): Promise<void> {
  const deadline = performance.now() + WAIT_MS;
  let last = new Set<string>();
  while (performance.now() < deadline) {
    last = await servedBy(client, 30);
    if (last.size === expected.length && expected.every((name) => last.has(name))) return;
  }
  throw new Error(
    `requests were not served by [${expected}] within ${WAIT_MS} ms; last batch: [${[...last]}]`,
  );
}

describe("transport-http over DNS discovery", { timeout: 40_000 }, () => {
  it("routes requests to the addresses of a name, follows record changes, and keeps serving while DNS is down", async () => {
    const { port, hosts } = await backends(3);
    const [a, b, c] = hosts as [string, string, string];
    const dns: Dnsmasq = await startDnsmasq({ hosts: { "api.test": [a, b] } });
    cleanups.push(() => dns.stop());
    const logger = recordingLogger();
    const discovery = createDnsDiscovery({
      servers: [dns.server],
      services: { api: `api.test:${port}` },
      family: 4,
      minIntervalMs: 50,
      timeoutMs: 200,
      attempts: 1,
      logger,
    });
    cleanups.push(() => discovery.close());
    const client = await createClient({
      endpoint: "discovery:///api",
      discovery,
      block: { timeoutMs: WAIT_MS },
      logger: recordingLogger(),
    });
    cleanups.push(() => client.destroy());
    expect([...(await servedBy(client, 20))].sort()).toEqual(["a", "b"]);

    await dns.setHosts({ "api.test": [a, b, c] });
    await eventuallyServedBy(client, ["a", "b", "c"]);
    await dns.setHosts({ "api.test": [b, c] });
    await eventuallyServedBy(client, ["b", "c"]);

    const failed = logger.next("warn", /failed/);
    await dns.stop();
    await failed;
    expect([...(await servedBy(client, 30))].sort()).toEqual(["b", "c"]); // the last good list
  });
});
