import { inspect } from "node:util";
import {
  type RegistryCallOptions,
  RegistryError,
  type ServiceInstance,
  type TimerHandle,
  type Watcher,
  WatcherStoppedError,
} from "@switchyard/api";
import { ListDelivery } from "./delivery.js";
import { queryHealth } from "./health-query.js";
import type { ConsulHttp } from "./http.js";
import { Backoff, TokenBucket } from "./pacing.js";
import { asRegistryError, report } from "./report.js";
import type { Settings } from "./settings.js";

type List = readonly ServiceInstance[];

/** What a watcher needs from its registry. */
export interface WatchDeps {
  readonly http: ConsulHttp;
  readonly settings: Settings;
  /** Called once, when the watcher stops. */
  readonly detach: (watcher: ConsulWatcher) => void;
}

/** Up to this fraction is added at random to a rate-limit wait. */
const RATE_JITTER = 0.2;

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

/**
 * The index to send next, by Consul's rules for blocking queries: reset to 0 (a fresh,
 * non-blocking read) when the index went backwards, and never below 1 after an answer, since
 * index 0 would not block and the loop would spin.
 */
export function nextIndex(previous: number, returned: number): number {
  if (returned < previous) return 0;
  return Math.max(returned, 1);
}

/**
 * Follows one service with blocking queries. The first `next()` gives the current list; later
 * calls wait until the list differs from the one last given (a query that times out, or returns
 * on an unrelated write, yields nothing). Errors never reach `next()`: the last good list stays,
 * the query is retried with backoff and jitter, and the error goes to `onError` and the logger.
 * Queries are rate limited by a token bucket, as Consul's guide for blocking queries advises.
 */
export class ConsulWatcher implements Watcher {
  readonly serviceName: string;
  private readonly deps: WatchDeps;
  private readonly abort = new AbortController();
  private readonly backoff: Backoff;
  private readonly bucket: TokenBucket;
  private readonly delivery = new ListDelivery();
  private readonly watchSignal: AbortSignal | undefined;
  private readonly onWatchAbort: () => void;
  private index = 0;
  private stopped = false;
  private stopReason = "";
  private timer: TimerHandle | undefined = undefined;
  private wake: (() => void) | undefined = undefined;
  private reported = new Set<string>();

  constructor(deps: WatchDeps, serviceName: string, signal: AbortSignal | undefined) {
    this.deps = deps;
    this.serviceName = serviceName;
    this.backoff = new Backoff(deps.settings.backoff, deps.settings.random);
    this.bucket = new TokenBucket(deps.settings.clock, deps.settings.rateLimit);
    this.watchSignal = signal;
    this.onWatchAbort = () => this.halt("its watch signal was aborted");
    if (signal?.aborted) this.onWatchAbort();
    else signal?.addEventListener("abort", this.onWatchAbort, { once: true });
    // Start on a later tick: nothing is sent from the call that created the watcher.
    queueMicrotask(() => {
      this.run().catch((error: unknown) =>
        report(deps.settings, asRegistryError(deps.settings, error, `watching "${serviceName}"`), {
          operation: "watch",
          serviceName,
        }),
      );
    });
  }

  /**
   * Resolves with the current list on the first call, later with the next list that differs from
   * the one last given.
   * @throws WatcherStoppedError (as a rejection) when the watcher is or gets stopped; the signal's
   * reason when `signal` aborts (the watcher keeps running).
   */
  next(options?: RegistryCallOptions): Promise<List> {
    if (this.stopped) return Promise.reject(this.stoppedError());
    return this.delivery.take(options?.signal);
  }

  /** Ends the watch at once: aborts the query in flight and rejects pending `next()` calls. Idempotent. */
  stop(): Promise<void> {
    this.halt("it was stopped");
    return Promise.resolve();
  }

  /** What `console.log` shows: the service and whether it stopped (the registry's settings stay hidden). */
  [inspect.custom](): string {
    return `ConsulWatcher ${inspect({ service: this.serviceName, stopped: this.stopped })}`;
  }

  [Symbol.asyncIterator](): AsyncIterator<List, undefined> {
    return {
      next: () =>
        this.next().then(
          (value): IteratorResult<List, undefined> => ({ done: false, value }),
          (error: unknown) => {
            if (this.stopped) return DONE;
            throw error;
          },
        ),
      return: async () => {
        await this.stop();
        return DONE;
      },
    };
  }

  private async run(): Promise<void> {
    const { http, settings } = this.deps;
    while (!this.stopped) {
      for (let wait = this.bucket.take(); wait > 0; wait = this.bucket.take()) {
        await this.sleep(wait * (1 + RATE_JITTER * settings.random())); // clients that churn together spread out
        if (this.stopped) return;
      }
      let retryInMs: number | undefined;
      try {
        const result = await queryHealth(http, settings, this.serviceName, this.index, this.abort.signal);
        if (this.stopped) return;
        this.backoff.reset();
        this.index = nextIndex(this.index, result.index);
        this.reportSkipped(result.skipped);
        this.delivery.offer(this.keepKnown(result.instances, result.unusable));
      } catch (error) {
        if (this.stopped) return;
        retryInMs = this.backoff.next();
        const failure = asRegistryError(settings, error, `watching "${this.serviceName}"`);
        report(settings, failure, { operation: "watch", serviceName: this.serviceName, retryInMs });
      }
      if (retryInMs !== undefined) await this.sleep(retryInMs);
    }
  }

  /**
   * An instance whose entry turned unusable (no usable address) keeps its last good version, so
   * one bad entry does not take a serving instance away; a new unusable entry is just skipped.
   */
  private keepKnown(list: List, unusable: readonly string[]): List {
    const latest = this.delivery.latest;
    if (unusable.length === 0 || latest === undefined) return list;
    const known = latest.filter((instance) => unusable.includes(instance.id));
    return known.length === 0 ? list : Object.freeze([...list, ...known]);
  }

  /** Reports entries that were left out, once each until they change. */
  private reportSkipped(skipped: readonly string[]): void {
    const now = new Set(skipped);
    for (const message of now) {
      if (this.reported.has(message)) continue;
      const error = new RegistryError(`consul: ${message}`, { retryable: false });
      report(this.deps.settings, error, { operation: "watch", serviceName: this.serviceName });
    }
    this.reported = now;
  }

  private sleep(ms: number): Promise<void> {
    const { clock } = this.deps.settings;
    return new Promise((resolve) => {
      const done = (): void => {
        clock.clearTimeout(this.timer);
        this.timer = undefined;
        this.wake = undefined;
        resolve();
      };
      this.wake = done;
      this.timer = clock.setTimeout(done, ms);
    });
  }

  private halt(why: string): void {
    if (this.stopped) return;
    this.stopped = true;
    this.stopReason = why;
    this.watchSignal?.removeEventListener("abort", this.onWatchAbort);
    this.abort.abort(this.stoppedError());
    this.wake?.();
    this.deps.detach(this);
    this.delivery.fail(() => this.stoppedError());
  }

  private stoppedError(): WatcherStoppedError {
    return new WatcherStoppedError(
      `consul: the watcher of "${this.serviceName}" no longer yields because ${this.stopReason}; ` +
        "call watch() again to follow the service",
    );
  }
}
