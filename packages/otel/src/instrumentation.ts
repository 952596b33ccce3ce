import { subscribe, unsubscribe } from "node:diagnostics_channel";
import {
  type Counter,
  type Histogram,
  type ObservableGauge,
  type ObservableResult,
  type ObservableUpDownCounter,
  trace,
} from "@opentelemetry/api";
import { InstrumentationBase, type InstrumentationConfig } from "@opentelemetry/instrumentation";
import {
  APPLY_CHANNEL,
  type ApplyMessage,
  DONE_CHANNEL,
  type DoneMessage,
  ERROR_CHANNEL,
  HEALTH_CHANNEL,
  type HealthMessage,
  type Logger,
  PICK_CHANNEL,
  type PickMessage,
  type SelectErrorMessage,
} from "@switchyard/api";
import {
  ATTR_BALANCER,
  ATTR_ERROR_TYPE,
  ATTR_SERVER_ADDRESS,
  callErrorType,
  errorType,
} from "./attributes.js";
import { EjectedNodes, endpointKey } from "./ejected.js";
import { Endpoints } from "./endpoints.js";
import { Isolation } from "./isolation.js";
import { METRIC_NAMES } from "./names.js";
import { VERSION } from "./version.js";

/** Bucket boundaries of `switchyard.client.call.duration`, s (OpenTelemetry's for HTTP client durations). */
export const DURATION_BUCKETS_S: readonly number[] = Object.freeze([
  0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
]);

/** Options of {@link SwitchyardInstrumentation}. */
export interface SwitchyardInstrumentationConfig extends InstrumentationConfig {
  /**
   * Where a throw inside the instrumentation (a meter, an instrument or a span that throws) is
   * reported, at most once a minute; default `process.emitWarning`. The call goes on either way.
   */
  readonly logger?: Logger;
}

/**
 * OpenTelemetry metrics and span attributes for Switchyard's selectors, from the diagnostics
 * channels `@switchyard/selector-core` publishes on (`switchyard:pick`, `:done`, `:health`,
 * `:apply`, `:error`). Enabled on construction unless `enabled: false`; works with
 * `registerInstrumentations` (which hands it the meter and tracer providers) or on its own
 * (`setMeterProvider`, `enable`, `disable`). It patches no module: it only subscribes.
 *
 * Records `switchyard.client.calls` (Counter, `{call}`), `switchyard.client.call.duration`
 * (Histogram, `s`), `switchyard.endpoint.inflight` (UpDownCounter, observed, `{call}`),
 * `switchyard.endpoint.ejections` (Counter, `{ejection}`), `switchyard.endpoint.ejected`
 * (ObservableGauge, 1 while ejected) and `switchyard.selector.errors` (Counter, `{error}`), and at
 * each pick sets `network.peer.address`, `network.peer.port` and `switchyard.balancer` on the active
 * span. Nothing it does can break a call: every handler is isolated.
 */
export class SwitchyardInstrumentation extends InstrumentationBase<SwitchyardInstrumentationConfig> {
  private calls: Counter | undefined;
  private duration: Histogram | undefined;
  private inflight: ObservableUpDownCounter | undefined;
  private ejections: Counter | undefined;
  private ejectedGauge: ObservableGauge | undefined;
  private errors: Counter | undefined;
  private subscribed = false;
  private readonly endpoints = new Endpoints();
  private readonly ejected = new EjectedNodes();
  private readonly isolation: Isolation;
  private readonly observeEjected = (result: ObservableResult) => this.ejected.observe(result);
  private readonly observeInflight = (result: ObservableResult) => this.endpoints.observeInflight(result);

  constructor(config: SwitchyardInstrumentationConfig = {}) {
    // Enabled below, once the fields exist (the base class would enable it before them).
    super("@switchyard/otel", VERSION, { ...config, enabled: false });
    this.setConfig(config);
    this.isolation = new Isolation(config.logger);
    this._updateMetricInstruments();
    if (this._config.enabled !== false) this.enable();
  }

  protected override init(): [] {
    return [];
  }

  override enable(): void {
    super.enable();
    if (this.subscribed) return;
    this.subscribed = true;
    subscribe(PICK_CHANNEL, this.onPick);
    subscribe(DONE_CHANNEL, this.onDone);
    subscribe(HEALTH_CHANNEL, this.onHealth);
    subscribe(APPLY_CHANNEL, this.onApply);
    subscribe(ERROR_CHANNEL, this.onError);
  }

  override disable(): void {
    super.disable();
    if (!this.subscribed) return;
    this.subscribed = false;
    unsubscribe(PICK_CHANNEL, this.onPick);
    unsubscribe(DONE_CHANNEL, this.onDone);
    unsubscribe(HEALTH_CHANNEL, this.onHealth);
    unsubscribe(APPLY_CHANNEL, this.onApply);
    unsubscribe(ERROR_CHANNEL, this.onError);
  }

  protected override _updateMetricInstruments(): void {
    // Also called by the base constructor, before this class's fields exist: then it waits.
    if (this.isolation === undefined) return;
    this.isolation.run(() => {
      const meter = this.meter;
      this.calls = meter.createCounter(METRIC_NAMES.calls, {
        description: "Calls a Switchyard selector picked a node for, by endpoint, once each completed",
        unit: "{call}",
      });
      this.duration = meter.createHistogram(METRIC_NAMES.duration, {
        description: "Time from the pick to the completion of a call, by endpoint",
        unit: "s",
        advice: { explicitBucketBoundaries: [...DURATION_BUCKETS_S] },
      });
      // Counted by the instrumentation and observed at collection: the same non-monotonic sum as a
      // synchronous UpDownCounter in every exporter, without two SDK recordings per call.
      this.inflight?.removeCallback(this.observeInflight);
      this.inflight = meter.createObservableUpDownCounter(METRIC_NAMES.inflight, {
        description: "Calls picked and not yet completed, by endpoint",
        unit: "{call}",
      });
      this.inflight.addCallback(this.observeInflight);
      this.ejections = meter.createCounter(METRIC_NAMES.ejections, {
        description: "Times the health layer ejected an endpoint, by reason",
        unit: "{ejection}",
      });
      this.ejectedGauge?.removeCallback(this.observeEjected);
      this.ejectedGauge = meter.createObservableGauge(METRIC_NAMES.ejected, {
        description: "1 while the endpoint is ejected from the candidates, 0 after it returned",
        unit: "1",
      });
      this.ejectedGauge.addCallback(this.observeEjected);
      this.errors = meter.createCounter(METRIC_NAMES.selectorErrors, {
        description: "Selects that failed: no available node, a filter error",
        unit: "{error}",
      });
    });
  }

  private readonly onPick = (message: unknown): void => {
    try {
      const { service, node, balancer } = message as PickMessage;
      const attributes = this.endpoints.of(service, node, balancer);
      attributes.inflight++;
      const span = trace.getActiveSpan();
      if (span?.isRecording()) span.setAttributes(attributes.span);
    } catch (error) {
      this.isolation.report(error);
    }
  };

  private readonly onDone = (message: unknown): void => {
    try {
      const { service, node, balancer, info, failure, durationMs } = message as DoneMessage;
      const attributes = this.endpoints.lookup(service, node, balancer);
      this.endpoints.completed(attributes);
      const type = callErrorType(info, failure);
      const recorded = type === undefined ? attributes.metric : attributes.withError(type);
      this.calls?.add(1, recorded);
      this.duration?.record(durationMs / 1000, recorded);
    } catch (error) {
      this.isolation.report(error);
    }
  };

  private readonly onHealth = (message: unknown): void => {
    try {
      const { selector, service, node, balancer, event, reason } = message as HealthMessage;
      const attributes = this.endpoints.lookup(service, node, balancer);
      if (event === "ejected") {
        this.ejections?.add(1, attributes.withReason(reason));
        this.ejected.eject(selector, endpointKey(service, balancer, node.address), attributes.metric);
      } else {
        this.ejected.restore(selector, endpointKey(service, balancer, node.address), attributes.metric);
      }
    } catch (error) {
      this.isolation.report(error);
    }
  };

  private readonly onApply = (message: unknown): void => {
    try {
      const { selector, service, balancer, removed } = message as ApplyMessage;
      for (const node of removed) {
        this.ejected.forget(selector, endpointKey(service, balancer, node.address));
        this.endpoints.leave(service, balancer, node.address);
      }
    } catch (error) {
      this.isolation.report(error);
    }
  };

  private readonly onError = (message: unknown): void => {
    try {
      const { service, balancer, error } = message as SelectErrorMessage;
      this.errors?.add(1, {
        [ATTR_SERVER_ADDRESS]: service,
        [ATTR_BALANCER]: balancer,
        [ATTR_ERROR_TYPE]: errorType(error),
      });
    } catch (error) {
      this.isolation.report(error);
    }
  };
}
