// Shared by the tests: the real OpenTelemetry SDK (a meter provider read into an in-memory exporter,
// a tracer provider with an in-memory span exporter, the AsyncLocalStorage context manager) and
// readers of what it recorded.

import { context, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import {
  AggregationTemporality,
  type DataPoint,
  type Histogram,
  InMemoryMetricExporter,
  MeterProvider,
  type MetricData,
  PeriodicExportingMetricReader,
} from "@opentelemetry/sdk-metrics";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { SwitchyardInstrumentation } from "../src/index.js";

export interface Telemetry {
  readonly instrumentation: SwitchyardInstrumentation;
  readonly meterProvider: MeterProvider;
  readonly tracerProvider: BasicTracerProvider;
  readonly spans: InMemorySpanExporter;
  /** Collects now and returns the metrics by name. */
  collect(): Promise<Map<string, MetricData>>;
  shutdown(): Promise<void>;
}

/**
 * An instrumentation wired to fresh SDK providers, enabled. Cumulative by default; with delta
 * temporality a gauge reports only the series its callback observed at the last collection.
 */
export function startTelemetry(temporality = AggregationTemporality.CUMULATIVE): Telemetry {
  const exporter = new InMemoryMetricExporter(temporality);
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  const meterProvider = new MeterProvider({ readers: [reader] });
  const spans = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
  const manager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(manager);
  const instrumentation = new SwitchyardInstrumentation({ enabled: false });
  instrumentation.setMeterProvider(meterProvider);
  instrumentation.setTracerProvider(tracerProvider);
  instrumentation.enable();
  return {
    instrumentation,
    meterProvider,
    tracerProvider,
    spans,
    async collect() {
      exporter.reset();
      await reader.forceFlush();
      const byName = new Map<string, MetricData>();
      for (const resource of exporter.getMetrics()) {
        for (const scope of resource.scopeMetrics) {
          for (const metric of scope.metrics) byName.set(metric.descriptor.name, metric);
        }
      }
      return byName;
    },
    async shutdown() {
      instrumentation.disable();
      await meterProvider.shutdown();
      await tracerProvider.shutdown();
      context.disable();
      trace.disable();
    },
  };
}

/** The data points of `name` (none when it was not recorded). */
export function points(metrics: Map<string, MetricData>, name: string): DataPoint<unknown>[] {
  return (metrics.get(name)?.dataPoints ?? []) as DataPoint<unknown>[];
}

/** A sum's (or histogram's count's) total per value of attribute `key`. */
export function byAttribute(
  metrics: Map<string, MetricData>,
  name: string,
  key: string,
): Record<string, number> {
  const totals: Record<string, number> = {};
  for (const point of points(metrics, name)) {
    const label = String(point.attributes[key]);
    const value = typeof point.value === "number" ? point.value : (point.value as Histogram).count;
    totals[label] = (totals[label] ?? 0) + value;
  }
  return totals;
}
