import { RegistryError, type TimerHandle } from "@switchyard/api";
import type { ConsulHttp } from "./http.js";
import { asRegistryError, report, warn } from "./report.js";
import type { Settings } from "./settings.js";
import { eitherSignal } from "./signals.js";

/** Who the heartbeat is for, and how to register the instance again. */
export interface HeartbeatTarget {
  readonly serviceName: string;
  readonly instanceId: string;
  readonly checkId: string;
  /** Registers the instance again (same body), for when the agent forgot it. */
  readonly reRegister: (signal: AbortSignal) => Promise<void>;
}

/**
 * Whether a failed pass means the agent no longer knows the check (it restarted, or reaped the
 * instance): 404 "Unknown check ID" from current agents, 500 "does not have associated TTL" or
 * "Unknown check" from older ones.
 */
export function agentForgot(error: unknown): boolean {
  if (!(error instanceof RegistryError)) return false;
  if (error.status === 404) return true;
  return error.status === 500 && /does not have associated TTL|Unknown check/i.test(error.message);
}

/**
 * Keeps one instance's TTL check passing: a pass at once (Consul starts checks critical), then one
 * every interval. When a pass fails because the agent forgot the instance, it registers it again
 * and passes. Failures are reported, never thrown; the next beat comes on schedule regardless.
 */
export class Heartbeat {
  private readonly http: ConsulHttp;
  private readonly settings: Settings;
  private readonly target: HeartbeatTarget;
  private readonly abort = new AbortController();
  private timer: TimerHandle | undefined = undefined;
  private stopped = false;

  constructor(http: ConsulHttp, settings: Settings, target: HeartbeatTarget) {
    this.http = http;
    this.settings = settings;
    this.target = target;
  }

  /**
   * Passes the check once and starts beating.
   * @throws RegistryError when that first pass fails; the signal's reason when `signal` aborts.
   */
  async start(signal: AbortSignal | undefined): Promise<void> {
    const linked = eitherSignal(signal, this.abort.signal);
    try {
      await this.pass(linked.signal);
    } finally {
      linked.dispose();
    }
    this.schedule();
  }

  /** Stops beating and aborts a pass in flight. Idempotent. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.settings.clock.clearTimeout(this.timer);
    this.abort.abort(new Error("heartbeat stopped"));
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = this.settings.clock.setTimeout(() => {
      this.timer = undefined;
      this.beat()
        .catch(() => {}) // beat() reports its failures; nothing may escape as an unhandled rejection
        .finally(() => this.schedule());
    }, this.settings.heartbeat?.intervalMs ?? 10_000);
  }

  private async beat(): Promise<void> {
    const signal = this.abort.signal;
    try {
      await this.pass(signal);
    } catch (error) {
      if (this.stopped) return;
      if (!agentForgot(error)) return this.fail(error);
      try {
        await this.target.reRegister(signal);
        await this.pass(signal);
        warn(
          this.settings,
          `consul: the agent had forgotten instance "${this.target.instanceId}" of "${this.target.serviceName}"; it is registered again`,
        );
      } catch (again) {
        if (!this.stopped) this.fail(again);
      }
    }
  }

  private fail(error: unknown): void {
    const { serviceName, instanceId } = this.target;
    report(this.settings, asRegistryError(this.settings, error, `passing the TTL check of "${instanceId}"`), {
      operation: "heartbeat",
      serviceName,
      instanceId,
      retryInMs: this.settings.heartbeat?.intervalMs,
    });
  }

  private async pass(signal: AbortSignal): Promise<void> {
    await this.http.send({
      method: "PUT",
      path: `/v1/agent/check/pass/${encodeURIComponent(this.target.checkId)}`,
      signal,
      timeoutMs: this.settings.requestTimeoutMs,
      what: `passing the TTL check "${this.target.checkId}" of "${this.target.serviceName}"`,
    });
  }
}
