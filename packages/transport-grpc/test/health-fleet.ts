import { status } from "@grpc/grpc-js";
import { createMemoryRegistry, type MemoryRegistry } from "@switchyard/registry-memory";
import type { FakeClock } from "@switchyard/testkit";
import { instanceOf } from "./helpers.js";
import { type GreeterClient, sayHello, startServers, type TestServer } from "./servers.js";

// Six helloworld servers on loopback, registered in a memory registry, some of them failing the way
// the endpoint-health tests need: refusing connections (a port that was bound and shut down),
// answering every call UNAVAILABLE, or answering a fixed share of their calls UNAVAILABLE, spread
// evenly so that no two failures come in a row and every run sees the same pattern. Time is a fake
// clock that the servers move: a good answer takes SERVE_MS of it, an UNAVAILABLE none (a failure
// that looks fast, as an overloaded server's does). Failures start when the fleet is armed, so that
// the calls that wait for every subchannel to be READY all succeed.

/** How many servers a fleet lists. */
export const FLEET_SIZE = 6;
/** Fake time a good answer takes, ms. */
export const SERVE_MS = 1;
/** Fake time from the end of one call of a measurement to the next, ms. */
export const STEP_MS = 2;

/** Whether the `k`-th call (from 0) fails when `percent` of them do, spread evenly. */
export function failsCall(k: number, percent: number): boolean {
  return Math.floor(((k + 1) * percent) / 100) > Math.floor((k * percent) / 100);
}

export interface HealthFleet {
  readonly registry: MemoryRegistry;
  /** Every listed server; the first `refusing` of them are shut down. */
  readonly servers: readonly TestServer[];
  /** The servers that answer calls. */
  readonly live: readonly TestServer[];
  /** Starts the failures and zeroes the servers' counts. */
  arm(): void;
  close(): Promise<void>;
}

/**
 * Starts {@link FLEET_SIZE} servers and lists them all. The first `refusing` are shut down at once
 * (their ports refuse connections); once armed, the last `failing` answer `failingPercent` of their
 * calls (default all) UNAVAILABLE.
 */
export async function startHealthFleet(options: {
  clock: FakeClock;
  refusing?: number;
  failing?: number;
  failingPercent?: number;
}): Promise<HealthFleet> {
  const servers = await startServers(FLEET_SIZE);
  const registry = createMemoryRegistry();
  const refusing = options.refusing ?? 0;
  const firstFailing = FLEET_SIZE - (options.failing ?? 0);
  const percent = options.failingPercent ?? 100;
  let armed = false;
  for (const [i, server] of servers.entries()) {
    let k = 0;
    server.handle((call, callback) => {
      if (armed && i >= firstFailing && failsCall(k++, percent)) {
        callback({ code: status.UNAVAILABLE, details: "overloaded" });
        return;
      }
      options.clock.advance(SERVE_MS);
      callback(null, { message: `hello ${call.request.name}`, server: server.name });
    });
    if (i < refusing) await server.close();
    await registry.register(instanceOf(server));
  }
  const live = servers.slice(refusing);
  return {
    registry,
    servers,
    live,
    arm() {
      armed = true;
      for (const server of servers) server.hits = 0;
    },
    async close() {
      await registry.close();
      await Promise.all(servers.map((s) => s.close()));
    },
  };
}

/**
 * Fake time the warm-up lets pass once every server answered, ms: longer than a slow start. The
 * policy applies the READY subchannels as they connect, one by one, so every node but the first
 * joins a list that has nodes and ramps up; the measurements start once the ramps are over.
 */
export const SETTLE_MS = 30_000;

/**
 * Calls until every live server of `fleet` has answered once (its subchannel is READY and picked),
 * at most `limit` calls, lets {@link SETTLE_MS} pass, then arms the fleet.
 */
export async function warmUp(
  client: GreeterClient,
  fleet: HealthFleet,
  clock: FakeClock,
  limit = 200,
): Promise<void> {
  for (let i = 0; i < limit && fleet.live.some((s) => s.hits === 0); i++) await sayHello(client);
  if (fleet.live.some((s) => s.hits === 0)) {
    throw new Error(`health fleet: a live server got no call in ${limit} warm-up calls`);
  }
  clock.advance(SETTLE_MS);
  fleet.arm();
}

/** What a measurement saw: calls made and failed. */
export interface Measured {
  readonly calls: number;
  readonly errors: number;
}

/**
 * Makes `calls` unary calls, `lanes` at a time (default one), moving `clock` {@link STEP_MS} after
 * each, and counts the failed ones. The channel has no retry policy.
 */
export async function measure(
  client: GreeterClient,
  calls: number,
  clock: FakeClock,
  lanes = 1,
): Promise<Measured> {
  let errors = 0;
  let made = 0;
  const lane = async () => {
    while (made < calls) {
      made++;
      await sayHello(client).catch(() => errors++);
      clock.advance(STEP_MS);
    }
  };
  await Promise.all(Array.from({ length: lanes }, lane));
  return { calls, errors };
}
