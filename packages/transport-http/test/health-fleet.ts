import { createMemoryRegistry, type MemoryRegistry } from "@switchyard/registry-memory";
import type { FakeClock } from "@switchyard/testkit";
import type { HttpClient } from "../src/client.js";
import { startServers, type TestServer } from "./servers.js";

// Six helloworld servers on loopback, registered in a memory registry, some of them failing the way
// the endpoint-health tests need: refusing connections (a port that was listened on and closed) or
// answering a fixed share of their requests 503, spread evenly so that no two failures come in a
// row and every run sees the same pattern. Time is a fake clock that the servers move: a good
// answer takes SERVE_MS of it, a 503 none (a failure that looks fast, as an overloaded server's
// does).

/** How many servers a fleet lists. */
export const FLEET_SIZE = 6;
/** Fake time a good answer takes, ms. */
export const SERVE_MS = 1;
/** Fake time from the end of one request of a measurement to the next, ms. */
export const STEP_MS = 2;

/** Whether the `k`-th request (from 0) fails when `percent` of them do, spread evenly. */
export function failsRequest(k: number, percent: number): boolean {
  return Math.floor(((k + 1) * percent) / 100) > Math.floor((k * percent) / 100);
}

export interface HealthFleet {
  readonly registry: MemoryRegistry;
  /** Every listed server; the first `refusing` of them are closed. */
  readonly servers: readonly TestServer[];
  close(): Promise<void>;
}

/**
 * Starts {@link FLEET_SIZE} servers and lists them all. The first `refusing` are closed at once
 * (their ports refuse connections); with `failingPercent`, the last one answers that share of its
 * requests 503.
 */
export async function startHealthFleet(options: {
  clock: FakeClock;
  refusing?: number;
  failingPercent?: number;
}): Promise<HealthFleet> {
  const servers = await startServers(FLEET_SIZE);
  const registry = createMemoryRegistry();
  const percent = options.failingPercent ?? 0;
  for (const [i, server] of servers.entries()) {
    let k = 0;
    const failing = i === FLEET_SIZE - 1 && percent > 0;
    server.handle((_req, res) => {
      if (failing && failsRequest(k++, percent)) {
        res.statusCode = 503;
        res.end("busy");
        return;
      }
      options.clock.advance(SERVE_MS);
      res.end("ok");
    });
  }
  for (const [i, server] of servers.entries()) {
    if (i < (options.refusing ?? 0)) await server.close();
    await registry.register({
      id: server.address,
      name: "helloworld",
      version: "1.0.0",
      metadata: {},
      endpoints: [`http://${server.address}`],
    });
  }
  return {
    registry,
    servers,
    async close() {
      await registry.close();
      await Promise.all(servers.map((s) => s.close()));
    },
  };
}

/** What a measurement saw: requests sent and failed (an error or a status other than 200). */
export interface Measured {
  readonly requests: number;
  readonly errors: number;
}

/**
 * Sends `requests` requests, `lanes` at a time (default one), moving `clock` {@link STEP_MS} after
 * each, and counts the failed ones. Retries are off (the client's default).
 */
export async function measure(
  client: HttpClient,
  requests: number,
  clock: FakeClock,
  lanes = 1,
): Promise<Measured> {
  let errors = 0;
  let sent = 0;
  const lane = async () => {
    while (sent < requests) {
      sent++;
      try {
        const reply = await client.request("/hello");
        await reply.body.dump();
        if (reply.status !== 200) errors++;
      } catch {
        errors++;
      }
      clock.advance(STEP_MS);
    }
  };
  await Promise.all(Array.from({ length: lanes }, lane));
  return { requests, errors };
}
