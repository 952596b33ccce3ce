import type { ServiceInstance, TimerHandle } from "@switchyard/api";
import { type Backoff, createBackoff, debugSafely, errorMessage, warnSafely } from "@switchyard/kit";
import type { DnsClient } from "./client.js";
import { resolveTarget } from "./resolve.js";
import type { Settings } from "./settings.js";
import type { Target } from "./target.js";

/** How a target reads in log lines: `SRV _grpc._tcp.api.test`, `A/AAAA api.test:8080`. */
export function describeTarget(target: Target): string {
  return target.kind === "srv" ? `SRV ${target.name}` : `A/AAAA ${target.name}:${target.port}`;
}

/**
 * Resolves one service again and again: at the TTL of the records it read, kept between the
 * minimum and maximum intervals, and after a failure at the backoff's delays. Each good answer is
 * offered to the watcher (which gives only real changes); a failure offers nothing, so the last
 * good list keeps serving. Timers are the clock's (unref'd on the system clock): a follower alone
 * never keeps the process alive.
 */
export class ServiceFollower {
  private readonly settings: Settings;
  private readonly client: DnsClient;
  private readonly service: string;
  private readonly target: Target;
  private readonly offer: (list: readonly ServiceInstance[]) => void;
  private readonly backoff: Backoff;
  private timer: TimerHandle | undefined = undefined;
  private inFlight: AbortController | undefined = undefined;
  private stopped = false;
  private known = -1;

  constructor(
    settings: Settings,
    client: DnsClient,
    service: string,
    target: Target,
    offer: (list: readonly ServiceInstance[]) => void,
  ) {
    this.settings = settings;
    this.client = client;
    this.service = service;
    this.target = target;
    this.offer = offer;
    this.backoff = createBackoff(settings.backoff, `dns: the watcher of ${JSON.stringify(service)}`);
  }

  /** Starts the first resolution. */
  start(): void {
    void this.resolve();
  }

  /** Stops for good: no timer left, the query in flight aborted and its answer ignored. Idempotent. */
  stop(reason: unknown): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer !== undefined) this.settings.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.inFlight?.abort(reason);
    this.inFlight = undefined;
  }

  private readonly resolve = async (): Promise<void> => {
    this.timer = undefined;
    if (this.stopped) return;
    const controller = new AbortController();
    this.inFlight = controller;
    const { settings, service, target } = this;
    let delay: number;
    try {
      const { instances, ttl } = await resolveTarget(
        this.client,
        target,
        service,
        settings.family,
        controller.signal,
      );
      if (this.stopped) return;
      this.backoff.reset();
      this.known = instances.length;
      delay = Math.min(Math.max((ttl ?? 0) * 1000, settings.minIntervalMs), settings.maxIntervalMs);
      debugSafely(
        settings.logger,
        `dns: ${describeTarget(target)} gave ${instances.length} instance(s) of ${JSON.stringify(service)}; next resolution in ${delay} ms`,
        { service, instances: instances.length, ttl, nextInMs: delay },
      );
      this.offer(instances);
    } catch (error) {
      if (this.stopped) return;
      delay = this.backoff.next();
      const keeping =
        this.known >= 0 ? `the last ${this.known} instance(s) keep serving` : "no list yet, next() waits";
      warnSafely(
        settings.logger,
        `dns: resolving ${JSON.stringify(service)} (${describeTarget(target)}) failed: ${errorMessage(error)}; retrying in ${Math.round(delay)} ms; ${keeping}`,
        { service, error, retryInMs: delay },
      );
    } finally {
      if (this.inFlight === controller) this.inFlight = undefined;
    }
    if (!this.stopped) this.timer = settings.clock.setTimeout(this.resolve, delay);
  };
}
