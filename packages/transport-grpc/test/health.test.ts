import type { SelectorBuilder } from "@switchyard/api";
import { p2c } from "@switchyard/balancer-p2c";
import { wrr } from "@switchyard/balancer-wrr";
import { createFakeClock, type FakeClock, seededRandom } from "@switchyard/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { createChannelOptions } from "../src/index.js";
import {
  FLEET_SIZE,
  type HealthFleet,
  type Measured,
  measure,
  startHealthFleet,
  warmUp,
} from "./health-fleet.js";
import { quiet, waitForReady } from "./helpers.js";
import { type GreeterClient, greeter } from "./servers.js";

// Endpoint health over real grpc-js servers: six listed, no retry policy, p2c's draws seeded, and
// the time the selector sees a fake clock that the servers and the call loop move (health-fleet.ts),
// so every run makes the same picks. Each case runs with health on (the default of every balancer)
// and with `health: false` (Kratos's behaviour, and what every balancer did before health came).
// The bounds are the targets of the endpoint-health design: a node that fails every call costs at
// most a tenth of the errors round robin lets through, a node failing a share of its calls at most
// a fifth, and p2c about 2 % of the calls when most of the fleet is down. Health ejects at most half
// of a fleet (wrr cannot tell whether the rest can carry the load): with four of six failing, wrr
// keeps one of them among the three candidates left. Time: a good answer takes 1 ms, then the next
// call starts 2 ms later, about 330 calls a second, 55 per server: enough for the success-rate
// detector, which judges servers with at least 20 calls in its 1 s interval.

let fleet: HealthFleet | undefined;
let client: GreeterClient | undefined;

afterEach(async () => {
  client?.close();
  await fleet?.close();
  client = undefined;
  fleet = undefined;
});

type Balancer = "wrr" | "p2c";
const COMBINATIONS: readonly [Balancer, boolean][] = [
  ["wrr", false],
  ["wrr", true],
  ["p2c", false],
  ["p2c", true],
];

/** The channel's selector: none for wrr with health on (the default), else the builder. */
function selectorOf(balancer: Balancer, health: boolean, clock: FakeClock): SelectorBuilder | undefined {
  if (balancer === "p2c") {
    const random = seededRandom(1);
    return health ? p2c({ clock, random }) : p2c({ clock, random, health: false });
  }
  return health ? undefined : wrr({ clock, health: false });
}

/**
 * Starts a fleet and a channel over it with `balancer`, waits until every live server has answered
 * (all their subchannels READY), arms the fleet's failures and measures `windows` (calls each) in a
 * row; `lanes` calls in flight at a time.
 */
async function run(
  fleetOptions: { refusing?: number; failing?: number; failingPercent?: number },
  balancer: Balancer,
  health: boolean,
  windows: readonly number[],
  lanes = 1,
): Promise<Measured[]> {
  const clock = createFakeClock();
  fleet = await startHealthFleet({ ...fleetOptions, clock });
  const { target, options } = createChannelOptions({
    target: "discovery:///helloworld",
    discovery: fleet.registry,
    logger: quiet,
    clock,
    selector: selectorOf(balancer, health, clock),
  });
  client = greeter(target, options);
  await waitForReady(client);
  await warmUp(client, fleet, clock);
  const measured: Measured[] = [];
  for (const calls of windows) measured.push(await measure(client, calls, clock, lanes));
  return measured;
}

const errors = (measured: readonly Measured[]) => measured.reduce((sum, m) => sum + m.errors, 0);
const name = (balancer: Balancer, health: boolean) =>
  `${balancer === "wrr" ? "the default balancer (wrr)" : "p2c"} with health ${health ? "on" : "off"}`;

describe("endpoint health over real gRPC servers: servers that refuse connections (1,000 calls)", () => {
  // The policy offers the selector READY subchannels only: a server that refuses connections is
  // never a candidate, whatever the balancer, with or without health.
  for (const refusing of [1, 4]) {
    for (const [balancer, health] of COMBINATIONS) {
      it(`${name(balancer, health)} fails no call when ${refusing} of six refuse`, async () => {
        expect(errors(await run({ refusing }, balancer, health, [1000]))).toBe(0);
      });
    }
  }
});

describe("endpoint health over real gRPC servers: one of six answers every call UNAVAILABLE (1,000 calls, 3.3 s)", () => {
  it("wrr without health sends it its sixth of the calls: 166 fail", async () => {
    expect(errors(await run({ failing: 1 }, "wrr", false, [1000]))).toBe(166);
  });

  it("the default balancer (wrr, health on) ejects it within a few calls: at most a tenth of that", async () => {
    expect(errors(await run({ failing: 1 }, "wrr", true, [1000]))).toBeLessThanOrEqual(17);
  });

  it("p2c without health already shuns it after its first failures (probed every 3 s)", async () => {
    expect(errors(await run({ failing: 1 }, "p2c", false, [1000]))).toBeLessThanOrEqual(10);
  });

  it("p2c with health loses at most a tenth of round robin's errors", async () => {
    expect(errors(await run({ failing: 1 }, "p2c", true, [1000]))).toBeLessThanOrEqual(17);
  });
});

describe("endpoint health over real gRPC servers: four of six answer every call UNAVAILABLE (1,000 calls, 3.3 s)", () => {
  it("wrr without health fails two thirds of the calls: 666", async () => {
    expect(errors(await run({ failing: 4 }, "wrr", false, [1000]))).toBe(666);
  });

  it("the default balancer (wrr, health on) ejects three of them and fails about half as often", async () => {
    // The fourth keeps its third of the calls, less the probes it skips while failing.
    expect(errors(await run({ failing: 4 }, "wrr", true, [1000]))).toBeLessThanOrEqual(350);
  });

  it("p2c without health fails about 40 %: both of its draws fail a third of the time", async () => {
    expect(errors(await run({ failing: 4 }, "p2c", false, [1000]))).toBeGreaterThanOrEqual(300);
  });

  it("p2c with health fails under 2 % of the calls once it has found them (it re-draws past them)", async () => {
    // UNAVAILABLE is not a connection failure: each failing server is found by seven failures in a
    // row (consecutiveFailures), 28 calls for the four, then p2c ejects one and draws past the rest.
    const [finding, found] = await run({ failing: 4 }, "p2c", true, [1000, 1000]);
    expect(finding!.errors).toBeLessThanOrEqual(40);
    expect(found!.errors).toBeLessThanOrEqual(20);
  });
});

describe("endpoint health over real gRPC servers: one of six answers 30 % of its calls UNAVAILABLE", () => {
  // 3,000 calls, 10 s: the first 1,000 (3.3 s) give the detectors a few intervals, the next 2,000
  // are measured alone. Round robin sends the server a sixth of them, 30 % of which fail: 5 %.
  for (const lanes of [1, 8]) {
    const label = lanes === 1 ? "one call at a time" : `${lanes} in flight`;

    it(`wrr without health fails 5 % of the calls, ${label}`, async () => {
      const [, second] = await run({ failing: 1, failingPercent: 30 }, "wrr", false, [1000, 2000], lanes);
      expect(second!.errors).toBe(101);
    });

    it(`the default balancer (wrr, health on) fails at most a fifth of that once detected, ${label}`, async () => {
      const [, second] = await run({ failing: 1, failingPercent: 30 }, "wrr", true, [1000, 2000], lanes);
      expect(second!.errors).toBeLessThanOrEqual(20);
      // Its fair share is a sixth of the 3,000: 500.
      expect(fleet!.servers[FLEET_SIZE - 1]!.hits).toBeLessThanOrEqual(100);
    });

    it(`p2c without health sheds part of it, not all, ${label}`, async () => {
      const [, second] = await run({ failing: 1, failingPercent: 30 }, "p2c", false, [1000, 2000], lanes);
      expect(second!.errors).toBeLessThan(101);
    });

    it(`p2c with health fails at most a fifth of round robin's errors once detected, ${label}`, async () => {
      const [, second] = await run({ failing: 1, failingPercent: 30 }, "p2c", true, [1000, 2000], lanes);
      expect(second!.errors).toBeLessThanOrEqual(20);
    });
  }
});
