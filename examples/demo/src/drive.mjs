// Sends one run of traffic (one balancer over one transport) and records what happened. A quarter
// of the calls ask for version 2.0.0 only; the story's steps (scenario.mjs: an instance turns slow,
// one starts failing, one leaves, one joins) happen at their calls, and the health layer's
// ejections and returns are read from the selector's logger.
import { setTimeout as sleep } from "node:timers/promises";
import grpc from "@grpc/grpc-js";
import { version } from "@switchyard/filter-version";
import { createChannelOptions } from "@switchyard/transport-grpc";
import { createClient } from "@switchyard/transport-http";
import { helloworld, INJECTED } from "./fleet.mjs";
import { createHealthLogger } from "./health-log.mjs";
import { RunStats } from "./stats.mjs";

const onlyV2 = version("2.0.0");
const quiet = { warn() {} };

/**
 * A selector builder whose every selector (a gRPC run builds one per channel) logs its health
 * transitions into `stats`, numbered in the order they were built.
 */
function observed(balancer, stats) {
  let built = 0;
  return { build: () => balancer(createHealthLogger((event) => stats.event(event), ++built)).build() };
}

async function load({ stats, requests, concurrency, rate, steps, send, progress }) {
  let next = 0;
  let step = 0;
  stats.start();
  const started = performance.now();
  const lane = async () => {
    while (next < requests) {
      const i = next++;
      while (step < steps.length && i >= steps[step].call) {
        const { events, apply } = steps[step++];
        const at = stats.now(); // one time for the step, however long the registry takes
        await apply();
        for (const event of events) stats.event({ ...event, at });
      }
      // Call i starts i/rate seconds into the run, so that a run lasts as long whatever the machine.
      const wait = rate > 0 ? started + (i * 1000) / rate - performance.now() : 0;
      if (wait > 0) await sleep(wait);
      await send(i);
      progress();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
}

function check(stats, fleet, i, instanceId, wantsV2) {
  const instance = fleet.find((f) => f.id === instanceId);
  if (instance === undefined) {
    stats.fail(`call ${i} answered by unknown instance ${instanceId}`);
    return false;
  }
  if (wantsV2 && instance.version !== "2.0.0") {
    stats.misroute(`call ${i} asked for 2.0.0 and reached ${instance.id} (${instance.version})`);
  }
  return true;
}

export async function driveHttp({
  name,
  balancer,
  discovery,
  fleet,
  requests,
  concurrency,
  rate,
  steps,
  progress,
}) {
  const stats = new RunStats(name, "http");
  const client = await createClient({
    endpoint: "discovery:///helloworld",
    discovery,
    selector: observed(balancer, stats),
    block: { timeoutMs: 10_000 },
    logger: quiet,
  });
  try {
    await load({
      stats,
      requests,
      concurrency,
      rate,
      steps,
      progress,
      send: async (i) => {
        const wantsV2 = i % 4 === 0;
        const at = stats.now();
        const started = performance.now();
        try {
          const reply = await client.request("/hello", wantsV2 ? { filters: [onlyV2] } : undefined);
          const body = await reply.body.text();
          const id = reply.headers["x-instance"];
          if (!check(stats, fleet, i, id, wantsV2)) return;
          const injected = reply.status === 503 && body === INJECTED;
          if (reply.status !== 200 && !injected) stats.fail(`call ${i}: ${id} answered ${reply.status}`);
          else stats.record(id, performance.now() - started, injected, at);
        } catch (error) {
          stats.fail(`call ${i}: ${error.message}${error.cause ? ` (${error.cause.message})` : ""}`);
        }
      },
    });
  } finally {
    await client.close();
  }
  return stats;
}

function unary(client, name) {
  return new Promise((resolve) => {
    client.SayHello({ name }, { deadline: Date.now() + 10_000 }, (error, reply) => resolve({ error, reply }));
  });
}

export async function driveGrpc({
  name,
  balancer,
  discovery,
  fleet,
  requests,
  concurrency,
  rate,
  steps,
  progress,
}) {
  const stats = new RunStats(name, "grpc");
  const selector = observed(balancer, stats);
  const credentials = grpc.credentials.createInsecure();
  const make = (filters) => {
    const { target, options } = createChannelOptions({
      target: "discovery:///helloworld",
      discovery,
      selector,
      filters,
      logger: quiet,
    });
    return new helloworld.Greeter(target, credentials, options);
  };
  const all = make(undefined);
  const v2 = make([onlyV2]);
  try {
    await Promise.all(
      [all, v2].map(
        (c) =>
          new Promise((resolve, reject) =>
            c.waitForReady(Date.now() + 10_000, (e) => (e ? reject(e) : resolve())),
          ),
      ),
    );
    await load({
      stats,
      requests,
      concurrency,
      rate,
      steps,
      progress,
      send: async (i) => {
        const wantsV2 = i % 4 === 0;
        const at = stats.now();
        const started = performance.now();
        const { error, reply } = await unary(wantsV2 ? v2 : all, `call ${i}`);
        if (error === null) {
          if (check(stats, fleet, i, reply.server, wantsV2))
            stats.record(reply.server, performance.now() - started, false, at);
          return;
        }
        const id = error.metadata?.get("x-instance")?.[0];
        if (error.code === grpc.status.UNAVAILABLE && error.details === INJECTED && id !== undefined) {
          if (check(stats, fleet, i, id, wantsV2)) stats.record(id, performance.now() - started, true, at);
          return;
        }
        stats.fail(`call ${i}: ${grpc.status[error.code]} ${error.details}`);
      },
    });
  } finally {
    all.close();
    v2.close();
  }
  return stats;
}
