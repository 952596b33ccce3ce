import type { ServiceInstance, WatcherStoppedError } from "@switchyard/api";
import {
  type Backoff,
  createBackoff,
  ListWatcher,
  reportSkipped,
  SafeRandom,
  WakeableSleep,
} from "@switchyard/kit";
import { queryHealth } from "./health-query.js";
import type { ConsulHttp } from "./http.js";
import { TokenBucket } from "./pacing.js";
import { asRegistryError, report } from "./report.js";
import type { Settings } from "./settings.js";

type List = readonly ServiceInstance[];

/** What a watcher needs from its registry. */
export interface WatchDeps {
  readonly http: ConsulHttp;
  readonly settings: Settings;
  /** Called once, when the watcher stops. */
  readonly detach: (watcher: ListWatcher) => void;
}

/** Up to this fraction is added at random to a rate-limit wait. */
const RATE_JITTER = 0.2;

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
 * The rest (pending calls, stop, iteration, keeping the process alive while a `next()` waits) is
 * kit's ListWatcher; stopping it aborts the query in flight.
 */
export function watchService(
  deps: WatchDeps,
  serviceName: string,
  signal: AbortSignal | undefined,
): ListWatcher {
  const loop = new HealthLoop(deps, serviceName);
  const watcher = new ListWatcher({
    label: `consul: the watcher of ${JSON.stringify(serviceName)}`,
    signal,
    onStop: (error, stopped) => {
      loop.stop(error);
      deps.detach(stopped);
    },
  });
  if (!watcher.isStopped) loop.start(watcher);
  return watcher;
}

/** The query loop behind one watcher: finds each new list and offers it to the watcher. */
class HealthLoop {
  private readonly deps: WatchDeps;
  private readonly serviceName: string;
  private readonly abort = new AbortController();
  private readonly backoff: Backoff;
  private readonly bucket: TokenBucket;
  private readonly draw: SafeRandom;
  private index = 0;
  private stopped = false;
  private readonly pause: WakeableSleep;
  private reported = new Set<string>();
  /** The last list offered. */
  private last: List | undefined = undefined;

  constructor(deps: WatchDeps, serviceName: string) {
    this.deps = deps;
    this.serviceName = serviceName;
    this.backoff = createBackoff(deps.settings.backoff, "consul: backoff");
    this.bucket = new TokenBucket(deps.settings.clock, deps.settings.rateLimit);
    this.draw = new SafeRandom(deps.settings.random, "consul: rate limit");
    this.pause = new WakeableSleep(deps.settings.clock);
  }

  /** Starts on a later tick: nothing is sent from the call that created the watcher. */
  start(watcher: ListWatcher): void {
    const { settings } = this.deps;
    const serviceName = this.serviceName;
    queueMicrotask(() => {
      this.run(watcher).catch((error: unknown) =>
        report(settings, asRegistryError(settings, error, `watching "${serviceName}"`), {
          operation: "watch",
          serviceName,
        }),
      );
    });
  }

  /** Stops at once: aborts the query in flight (with `error`) and any wait. Idempotent. */
  stop(error: WatcherStoppedError): void {
    if (this.stopped) return;
    this.stopped = true;
    this.abort.abort(error);
    this.pause.wake();
  }

  private async run(watcher: ListWatcher): Promise<void> {
    const { http, settings } = this.deps;
    while (!this.stopped) {
      for (let wait = this.bucket.take(); wait > 0; wait = this.bucket.take()) {
        await this.pause.sleep(wait * (1 + RATE_JITTER * this.draw.next())); // clients that churn together spread out
        if (this.stopped) return;
      }
      let retryInMs: number | undefined;
      try {
        const result = await queryHealth(http, settings, this.serviceName, this.index, this.abort.signal);
        if (this.stopped) return;
        this.backoff.reset();
        this.index = nextIndex(this.index, result.index);
        this.reportSkipped(result.skipped);
        this.last = this.keepKnown(result.instances, result.unusable);
        watcher.offer(this.last);
      } catch (error) {
        if (this.stopped) return;
        retryInMs = this.backoff.next();
        const failure = asRegistryError(settings, error, `watching "${this.serviceName}"`);
        report(settings, failure, { operation: "watch", serviceName: this.serviceName, retryInMs });
      }
      if (retryInMs !== undefined) await this.pause.sleep(retryInMs);
    }
  }

  /**
   * An instance whose entry turned unusable (no usable address) keeps its last good version, so
   * one bad entry does not take a serving instance away; a new unusable entry is just skipped.
   */
  private keepKnown(list: List, unusable: readonly string[]): List {
    const latest = this.last;
    if (unusable.length === 0 || latest === undefined) return list;
    const known = latest.filter((instance) => unusable.includes(instance.id));
    return known.length === 0 ? list : Object.freeze([...list, ...known]);
  }

  /** Reports entries that were left out, once each until they change. */
  private reportSkipped(skipped: readonly string[]): void {
    const now = new Set(skipped);
    const context = { operation: "watch", serviceName: this.serviceName } as const;
    reportSkipped("consul", this.deps.settings, now, context, this.reported);
    this.reported = now;
  }
}
