import { NoAvailableNodeError } from "@switchyard/api";
import { wrr } from "@switchyard/balancer-wrr";
import { createClient, type HttpClient } from "@switchyard/transport-http";
import { afterEach, describe, expect, it } from "vitest";
import { METRIC_NAMES } from "../src/index.js";
import { type HttpServed, registryOf, startHttpServers } from "./servers.js";
import { byAttribute, points, startTelemetry, type Telemetry } from "./telemetry.js";

const quiet = { warn: () => {} };
let telemetry: Telemetry | undefined;
let servers: HttpServed[] = [];
let client: HttpClient | undefined;

afterEach(async () => {
  await client?.destroy();
  await Promise.all(servers.map((s) => s.close()));
  await telemetry?.shutdown();
  client = undefined;
  servers = [];
  telemetry = undefined;
});

async function start(count: number): Promise<{ telemetry: Telemetry; client: HttpClient }> {
  telemetry = startTelemetry();
  servers = await startHttpServers(count);
  client = await createClient({
    endpoint: "discovery:///helloworld",
    discovery: await registryOf(servers, "http"),
    block: { timeoutMs: 5000 },
    retry: false,
    selector: wrr({ logger: quiet }),
    logger: quiet,
  });
  return { telemetry, client };
}

const byPort = (metrics: Map<string, import("@opentelemetry/sdk-metrics").MetricData>, name: string) =>
  byAttribute(metrics, name, "network.peer.port");

describe("SwitchyardInstrumentation over real HTTP servers", () => {
  it("counts each of N calls once, split by endpoint as the balancer sent them, with durations and nothing left in flight", async () => {
    const { telemetry, client } = await start(3);
    const N = 30;
    for (let i = 0; i < N; i++) await (await client.request("/hello")).body.dump();
    const metrics = await telemetry.collect();
    const served = Object.fromEntries(servers.map((s) => [String(s.port), s.hits]));
    expect(servers.reduce((sum, s) => sum + s.hits, 0)).toBe(N);
    expect(byPort(metrics, METRIC_NAMES.calls)).toEqual(served);
    expect(byPort(metrics, METRIC_NAMES.duration)).toEqual(served);
    expect(byPort(metrics, METRIC_NAMES.inflight)).toEqual(
      Object.fromEntries(servers.map((s) => [String(s.port), 0])),
    );
    const call = points(metrics, METRIC_NAMES.calls)[0]!;
    expect(call.attributes).toEqual({
      "server.address": "helloworld",
      "network.peer.address": "127.0.0.1",
      "network.peer.port": servers.find((s) => s.port === call.attributes["network.peer.port"])!.port,
      "switchyard.balancer": "wrr",
    });
    expect(metrics.get(METRIC_NAMES.calls)!.descriptor.unit).toBe("{call}");
    expect(metrics.get(METRIC_NAMES.duration)!.descriptor.unit).toBe("s");
    expect(metrics.get(METRIC_NAMES.inflight)!.descriptor.unit).toBe("{call}");
  });

  it("marks failed calls with error.type and counts a refused endpoint's ejection; the gauge shows it out", async () => {
    const { telemetry, client } = await start(3);
    servers[0]!.handle((_req, res) => {
      res.statusCode = 503;
      res.end();
    });
    const refused = servers[2]!;
    await refused.close();
    for (let i = 0; i < 30; i++) {
      try {
        await (await client.request("/hello")).body.dump();
      } catch {
        // the refused endpoint's calls fail until it is ejected
      }
    }
    const metrics = await telemetry.collect();
    const failed = points(metrics, METRIC_NAMES.calls).filter(
      (p) => p.attributes["error.type"] !== undefined,
    );
    const types = Object.fromEntries(
      failed.map((p) => [`${p.attributes["network.peer.port"]} ${p.attributes["error.type"]}`, p.value]),
    );
    expect(types[`${servers[0]!.port} 503`]).toBeGreaterThan(0);
    expect(types[`${refused.port} ECONNREFUSED`]).toBeGreaterThan(0);
    const ejections = points(metrics, METRIC_NAMES.ejections);
    expect(
      ejections.map((p) => [p.attributes["network.peer.port"], p.attributes["switchyard.ejection.reason"]]),
    ).toContainEqual([refused.port, "connection-failures"]);
    expect(metrics.get(METRIC_NAMES.ejections)!.descriptor.unit).toBe("{ejection}");
    const ejected = points(metrics, METRIC_NAMES.ejected).filter((p) => p.value === 1);
    expect(ejected.map((p) => p.attributes["network.peer.port"])).toContain(refused.port);
  });

  it("counts a select that finds no node as a selector error with its error.type", async () => {
    const { telemetry, client } = await start(2);
    await expect(client.request("/hello", { filters: [() => []] })).rejects.toBeInstanceOf(
      NoAvailableNodeError,
    );
    const metrics = await telemetry.collect();
    expect(points(metrics, METRIC_NAMES.selectorErrors).map((p) => [p.attributes, p.value])).toEqual([
      [
        { "server.address": "helloworld", "switchyard.balancer": "wrr", "error.type": "NO_AVAILABLE_NODE" },
        1,
      ],
    ]);
  });

  it("sets the chosen endpoint and the balancer on the span active at the pick", async () => {
    const { telemetry, client } = await start(2);
    const tracer = telemetry.tracerProvider.getTracer("test");
    for (let i = 0; i < 4; i++) {
      await tracer.startActiveSpan("call", async (span) => {
        const response = await client.request("/hello");
        await response.body.dump();
        span.setAttribute("test.address", response.address);
        span.end();
      });
    }
    const spans = telemetry.spans.getFinishedSpans();
    expect(spans).toHaveLength(4);
    for (const span of spans) {
      const { attributes } = span;
      expect(attributes["switchyard.balancer"]).toBe("wrr");
      expect(`${attributes["network.peer.address"]}:${attributes["network.peer.port"]}`).toBe(
        attributes["test.address"],
      );
    }
    expect(new Set(spans.map((s) => s.attributes["network.peer.port"])).size).toBe(2);
  });

  it("records nothing once disabled, and again once enabled", async () => {
    const { telemetry, client } = await start(1);
    telemetry.instrumentation.disable();
    await (await client.request("/hello")).body.dump();
    expect(points(await telemetry.collect(), METRIC_NAMES.calls)).toEqual([]);
    telemetry.instrumentation.enable();
    await (await client.request("/hello")).body.dump();
    expect(byPort(await telemetry.collect(), METRIC_NAMES.calls)).toEqual({ [servers[0]!.port]: 1 });
  });
});
