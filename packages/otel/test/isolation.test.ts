import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { readFileSync } from "node:fs";
import type { Meter, MeterProvider } from "@opentelemetry/api";
import { registerInstrumentations } from "@opentelemetry/instrumentation";
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  PeriodicExportingMetricReader,
  MeterProvider as SdkMeterProvider,
} from "@opentelemetry/sdk-metrics";
import { wrr } from "@switchyard/balancer-wrr";
import { createNode } from "@switchyard/selector-core";
import { createFakeClock } from "@switchyard/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { METRIC_NAMES, SwitchyardInstrumentation, VERSION } from "../src/index.js";
import { byAttribute, points, startTelemetry, type Telemetry } from "./telemetry.js";

let telemetry: Telemetry | undefined;
const cleanups: (() => void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) cleanup();
  await telemetry?.shutdown();
  telemetry = undefined;
});

const fleet = (n: number) =>
  Array.from({ length: n }, (_, i) =>
    createNode({ scheme: "http", address: `10.0.0.${i}:80`, serviceName: "helloworld" }),
  );
const refused = {
  error: Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }),
  bytesSent: false,
};

/** A meter provider whose every instrument throws on use. */
function throwingMeterProvider(): MeterProvider {
  const boom = () => {
    throw new Error("meter broke");
  };
  const instrument = { add: boom, record: boom, addCallback: boom, removeCallback: boom };
  const meter = new Proxy({}, { get: () => () => instrument }) as Meter;
  return { getMeter: () => meter };
}

describe("SwitchyardInstrumentation: isolation and lifecycle", () => {
  it("never lets a throwing meter break a select or a done, and reports it once", () => {
    const warnings: string[] = [];
    const instrumentation = new SwitchyardInstrumentation({ logger: { warn: (m) => warnings.push(m) } });
    cleanups.push(() => instrumentation.disable());
    instrumentation.setMeterProvider(throwingMeterProvider());
    const selector = wrr({ health: false }).build();
    selector.apply(fleet(2));
    for (let i = 0; i < 10; i++) selector.select().done({ httpStatus: 200 });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /^@switchyard\/otel: recording telemetry threw \(meter broke\); the call went on/,
    );
  });

  it("gauges a node 1 while ejected and 0 once back, and drops its series when it leaves the list", async () => {
    telemetry = startTelemetry(AggregationTemporality.DELTA);
    const clock = createFakeClock();
    const selector = wrr({ clock, logger: { warn: () => {} } }).build();
    const nodes = fleet(4);
    selector.apply(nodes);
    const call = (ok: boolean) => {
      const { node, done } = selector.select();
      done(node === nodes[0] && !ok ? refused : { httpStatus: 200 });
      return node;
    };
    for (let i = 0; i < 12; i++) call(false);
    const gauge = async () =>
      byAttribute(await telemetry!.collect(), METRIC_NAMES.ejected, "network.peer.address");
    expect(await gauge()).toEqual({ "10.0.0.0": 1 });
    clock.advance(1000);
    while (call(true) !== nodes[0]);
    expect(await gauge()).toEqual({ "10.0.0.0": 0 });
    selector.apply(nodes.slice(1));
    expect(await gauge()).toEqual({});
    const ejections = points(await telemetry.collect(), METRIC_NAMES.ejections);
    expect(ejections).toEqual([]); // delta: counted in the first collection
  });

  it("counts an ejection with its reason and the endpoint's attributes", async () => {
    telemetry = startTelemetry();
    const selector = wrr({ logger: { warn: () => {} } }).build();
    const nodes = fleet(4);
    selector.apply(nodes);
    for (let i = 0; i < 12; i++) {
      const { node, done } = selector.select();
      done(node === nodes[0] ? refused : { httpStatus: 200 });
    }
    const ejections = points(await telemetry.collect(), METRIC_NAMES.ejections);
    expect(ejections.map((p) => [p.attributes, p.value])).toEqual([
      [
        {
          "server.address": "helloworld",
          "network.peer.address": "10.0.0.0",
          "network.peer.port": 80,
          "switchyard.balancer": "wrr",
          "switchyard.ejection.reason": "connection-failures",
        },
        1,
      ],
    ]);
  });

  it("counts calls in flight per endpoint until their done, also after the endpoint left the list", async () => {
    telemetry = startTelemetry();
    const selector = wrr({ health: false }).build();
    const nodes = fleet(2);
    selector.apply(nodes);
    const pending = [selector.select(), selector.select(), selector.select()];
    const inflight = async () =>
      byAttribute(await telemetry!.collect(), METRIC_NAMES.inflight, "network.peer.address");
    expect(await inflight()).toEqual({ "10.0.0.0": 2, "10.0.0.1": 1 });
    pending[0]!.done({});
    pending[0]!.done({}); // a second done counts nothing
    expect(await inflight()).toEqual({ "10.0.0.0": 1, "10.0.0.1": 1 });
    selector.apply(nodes.slice(1));
    expect(await inflight()).toEqual({ "10.0.0.0": 1, "10.0.0.1": 1 }); // left, a call still out
    pending[2]!.done({});
    pending[1]!.done({});
    expect(await inflight()).toEqual({ "10.0.0.0": 0, "10.0.0.1": 0 });
  });

  it("works through registerInstrumentations, and stops listening once deregistered", async () => {
    const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
    const meterProvider = new SdkMeterProvider({ readers: [reader] });
    const instrumentation = new SwitchyardInstrumentation({ enabled: false });
    const deregister = registerInstrumentations({ instrumentations: [instrumentation], meterProvider });
    expect(instrumentation.isEnabled()).toBe(true);
    const selector = wrr({ health: false }).build();
    selector.apply(fleet(1));
    selector.select().done({});
    deregister();
    selector.select().done({});
    await reader.forceFlush();
    const metric = exporter
      .getMetrics()
      .flatMap((r) => r.scopeMetrics)
      .flatMap((s) => s.metrics)
      .find((m) => m.descriptor.name === METRIC_NAMES.calls);
    expect(metric?.dataPoints.map((p) => p.value)).toEqual([1]);
    await meterProvider.shutdown();
  });

  it("leaves the channels without subscribers once disabled", () => {
    const instrumentation = new SwitchyardInstrumentation();
    const seen: unknown[] = [];
    const listener = (message: unknown) => seen.push(message);
    subscribe("switchyard:pick", listener);
    cleanups.push(() => unsubscribe("switchyard:pick", listener));
    instrumentation.disable();
    instrumentation.disable(); // idempotent
    const selector = wrr({ health: false }).build();
    selector.apply(fleet(1));
    selector.select().done({});
    expect(seen).toHaveLength(1);
  });

  it("reports its own version, the package's", () => {
    const manifest = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
    expect(VERSION).toBe(manifest.version);
    expect(new SwitchyardInstrumentation({ enabled: false }).instrumentationVersion).toBe(VERSION);
  });
});
