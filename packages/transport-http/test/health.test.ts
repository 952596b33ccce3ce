import type { SelectorBuilder } from "@switchyard/api";
import { p2c } from "@switchyard/balancer-p2c";
import { wrr } from "@switchyard/balancer-wrr";
import { createFakeClock, type FakeClock, seededRandom } from "@switchyard/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { createClient, type HttpClient } from "../src/client.js";
import { FLEET_SIZE, type HealthFleet, type Measured, measure, startHealthFleet } from "./health-fleet.js";

// Endpoint health over real HTTP servers: six listed, retries off, p2c's draws seeded, and the time
// the selector sees a fake clock that the servers and the request loop move (health-fleet.ts), so
// every run makes the same picks. Each case runs with health on (the default of every balancer)
// and with `health: false` (Kratos's behaviour, and what every balancer did before health came).
// The bounds are the targets of the endpoint-health design: a node that fails every request costs at
// most a tenth of the errors round robin lets through, a node failing a share of its requests at
// most a fifth, and p2c at most 2 % of the requests when most of the fleet is down.

let fleet: HealthFleet | undefined;
let client: HttpClient | undefined;

afterEach(async () => {
  await client?.destroy();
  await fleet?.close();
  client = undefined;
  fleet = undefined;
});

type Balancer = "wrr" | "p2c";

/** The client's selector: none for wrr with health on (the default), else the builder. */
function selectorOf(balancer: Balancer, health: boolean, clock: FakeClock): SelectorBuilder | undefined {
  if (balancer === "p2c") {
    const random = seededRandom(1);
    return health ? p2c({ clock, random }) : p2c({ clock, random, health: false });
  }
  return health ? undefined : wrr({ clock, health: false });
}

/**
 * Starts a fleet, a client over it with `balancer`, and measures `windows` (requests each) in a row;
 * `lanes` requests in flight at a time.
 */
async function run(
  fleetOptions: { refusing?: number; failingPercent?: number },
  balancer: Balancer,
  health: boolean,
  windows: readonly number[],
  lanes = 1,
): Promise<Measured[]> {
  const clock = createFakeClock();
  fleet = await startHealthFleet({ ...fleetOptions, clock });
  client = await createClient({
    endpoint: "discovery:///helloworld",
    discovery: fleet.registry,
    block: { timeoutMs: 5000 },
    logger: { warn: () => {} },
    clock,
    selector: selectorOf(balancer, health, clock),
  });
  const measured: Measured[] = [];
  for (const requests of windows) measured.push(await measure(client, requests, clock, lanes));
  return measured;
}

const errors = (measured: readonly Measured[]) => measured.reduce((sum, m) => sum + m.errors, 0);

describe("endpoint health over real HTTP servers: one of six refuses connections (600 requests, 6 s)", () => {
  it("wrr without health sends the refusing server its sixth of the requests: 100 fail", async () => {
    expect(errors(await run({ refusing: 1 }, "wrr", false, [600]))).toBe(100);
  });

  it("the default balancer (wrr, health on) ejects it within a few requests: at most a tenth of that", async () => {
    expect(errors(await run({ refusing: 1 }, "wrr", true, [600]))).toBeLessThanOrEqual(10);
  });

  it("p2c without health already shuns it after its first failures (probed every 3 s)", async () => {
    expect(errors(await run({ refusing: 1 }, "p2c", false, [600]))).toBeLessThanOrEqual(6);
  });

  it("p2c with health loses at most a tenth of round robin's errors", async () => {
    expect(errors(await run({ refusing: 1 }, "p2c", true, [600]))).toBeLessThanOrEqual(10);
  });
});

describe("endpoint health over real HTTP servers: four of six refuse connections (600 requests, 6 s)", () => {
  it("wrr without health fails two thirds of the requests: 400", async () => {
    expect(errors(await run({ refusing: 4 }, "wrr", false, [600]))).toBe(400);
  });

  it("the default balancer (wrr, health on) loses at most a tenth of that", async () => {
    expect(errors(await run({ refusing: 4 }, "wrr", true, [600]))).toBeLessThanOrEqual(40);
  });

  it("p2c without health fails about 40 %: both of its draws are dead a third of the time", async () => {
    expect(errors(await run({ refusing: 4 }, "p2c", false, [600]))).toBeGreaterThanOrEqual(180);
  });

  it("p2c with health fails at most 2 % of the requests (it re-draws)", async () => {
    expect(errors(await run({ refusing: 4 }, "p2c", true, [600]))).toBeLessThanOrEqual(12);
  });
});

describe("endpoint health over real HTTP servers: one of six answers 30 % of its requests 503", () => {
  // 2,000 requests, 20 s: the first 10 s give the detectors their interval, the next 10 s are
  // measured alone. Round robin sends the server a sixth of them, 30 % of which fail: 5 %.
  for (const lanes of [1, 8]) {
    const label = lanes === 1 ? "one request at a time" : `${lanes} in flight`;

    it(`wrr without health fails 5 % of the requests, ${label}`, async () => {
      const [, second] = await run({ failingPercent: 30 }, "wrr", false, [1000, 1000], lanes);
      expect(second!.errors).toBe(50);
    });

    it(`the default balancer (wrr, health on) fails at most a fifth of that once detected, ${label}`, async () => {
      const [, second] = await run({ failingPercent: 30 }, "wrr", true, [1000, 1000], lanes);
      expect(second!.errors).toBeLessThanOrEqual(10);
      expect(fleet!.servers[FLEET_SIZE - 1]!.hits).toBeLessThan(2000 / FLEET_SIZE);
    });

    it(`p2c without health sheds part of it, not all, ${label}`, async () => {
      const [, second] = await run({ failingPercent: 30 }, "p2c", false, [1000, 1000], lanes);
      expect(second!.errors).toBeLessThan(50);
    });

    it(`p2c with health fails at most a fifth of round robin's errors once detected, ${label}`, async () => {
      const [, second] = await run({ failingPercent: 30 }, "p2c", true, [1000, 1000], lanes);
      expect(second!.errors).toBeLessThanOrEqual(10);
    });
  }
});
