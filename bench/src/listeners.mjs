// What listens to the diagnostics channels in a worker, by balancer name: nothing (every row but
// these), a no-op subscriber on each channel (`-channels`), or @switchyard/otel over the
// OpenTelemetry SDK (`-otel`: a meter provider with a reader that is never collected during the
// measurement, so each call pays what an application's recording pays, not an export).

import { subscribe } from "node:diagnostics_channel";
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from "@opentelemetry/sdk-metrics";
import { SwitchyardInstrumentation } from "@switchyard/otel";
import {
  APPLY_CHANNEL,
  DONE_CHANNEL,
  ERROR_CHANNEL,
  HEALTH_CHANNEL,
  PICK_CHANNEL,
} from "@switchyard/selector-core";

/** Starts what listens in a worker for balancer `name`. */
export function listen(name) {
  if (name.endsWith("-channels")) {
    const ignore = () => {};
    for (const channel of [PICK_CHANNEL, DONE_CHANNEL, HEALTH_CHANNEL, APPLY_CHANNEL, ERROR_CHANNEL]) {
      subscribe(channel, ignore);
    }
  } else if (name.endsWith("-otel")) {
    const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 86_400_000 });
    const instrumentation = new SwitchyardInstrumentation();
    instrumentation.setMeterProvider(new MeterProvider({ readers: [reader] }));
  }
}
