import { wrr } from "@switchyard/balancer-wrr";
import { createChannelOptions } from "@switchyard/transport-grpc";
import { afterEach, describe, expect, it } from "vitest";
import { METRIC_NAMES } from "../src/index.js";
import { greeter, registryOf, type Served, startGrpcServers } from "./servers.js";
import { byAttribute, points, startTelemetry, type Telemetry } from "./telemetry.js";

const quiet = { warn: () => {} };
let telemetry: Telemetry | undefined;
let servers: Served[] = [];
let close: (() => void) | undefined;

afterEach(async () => {
  close?.();
  await Promise.all(servers.map((s) => s.close()));
  await telemetry?.shutdown();
  close = undefined;
  servers = [];
  telemetry = undefined;
});

describe("SwitchyardInstrumentation over real gRPC servers", () => {
  it("counts each of N calls once, split by endpoint as the picker sent them, with the gRPC span attributes", async () => {
    telemetry = startTelemetry();
    servers = await startGrpcServers(3);
    const { target, options } = createChannelOptions({
      target: "discovery:///helloworld",
      discovery: await registryOf(servers, "grpc"),
      selector: wrr({ logger: quiet }),
      logger: quiet,
    });
    const { client, sayHello } = greeter(target, options);
    close = () => client.close();
    const N = 30;
    const tracer = telemetry.tracerProvider.getTracer("test");
    for (let i = 0; i < N; i++) {
      await tracer.startActiveSpan("call", async (span) => {
        await sayHello("ada");
        span.end();
      });
    }
    const metrics = await telemetry.collect();
    expect(servers.reduce((sum, s) => sum + s.hits, 0)).toBe(N);
    const served = Object.fromEntries(servers.map((s) => [String(s.port), s.hits]));
    expect(byAttribute(metrics, METRIC_NAMES.calls, "network.peer.port")).toEqual(served);
    expect(byAttribute(metrics, METRIC_NAMES.duration, "network.peer.port")).toEqual(served);
    // Each call counts in flight from its start (the two-phase picks of the channel) to its end.
    const inflight = points(metrics, METRIC_NAMES.inflight);
    expect(inflight.length).toBeGreaterThan(0);
    for (const point of inflight) expect(point.value).toBe(0);
    for (const point of points(metrics, METRIC_NAMES.calls)) {
      expect(point.attributes).toMatchObject({
        "server.address": "helloworld",
        "network.peer.address": "127.0.0.1",
        "switchyard.balancer": "wrr",
      });
      expect(point.attributes["error.type"]).toBeUndefined();
    }
    // Picks made inside the call's context set the peer on its span (grpc-js may pick the very
    // first call from a connection callback, outside any span).
    const spans = telemetry.spans.getFinishedSpans();
    const tagged = spans.filter((s) => s.attributes["switchyard.balancer"] === "wrr");
    expect(tagged.length).toBeGreaterThanOrEqual(N - 3);
    for (const span of tagged) {
      expect(served[String(span.attributes["network.peer.port"])]).toBeGreaterThan(0);
    }
  });
});
