import {
  type Clock,
  type Discovery,
  InvalidArgumentError,
  type Logger,
  RegistryError,
  type ServiceInstance,
  type TimerHandle,
  type Watcher,
  WatcherStoppedError,
} from "@switchyard/api";
import {
  type Backoff,
  checkBackoff,
  checkClock,
  checkLogger,
  createBackoff,
  debugSafely,
  errorMessage,
  warnSafely,
} from "@switchyard/kit";
import { ReadyGate } from "./ready-gate.js";
import {
  checkResolverOptions,
  DEFAULT_READY_TIMEOUT_MS,
  type ReadyOptions,
  type Resolver,
  type ResolverOptions,
  resolverClosedError,
  resolveTimeoutError,
} from "./resolver-api.js";
import { buildUpdate, type ResolverUpdate, sameNodes, type UpdateSettings } from "./resolver-update.js";
import { DEFAULT_SUBSET_SIZE, randomSubsetKey } from "./subset.js";

const WHERE = "createResolver";

class WatchResolver implements Resolver {
  readonly serviceName: string;
  private readonly discovery: Discovery;
  private readonly settings: UpdateSettings;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly backoff: Backoff;
  private readonly onUpdate: (update: ResolverUpdate) => void;
  private readonly onError: ((error: unknown) => void) | undefined;
  private readonly abort = new AbortController();
  private readonly gate: ReadyGate;
  private last: ResolverUpdate | undefined = undefined;
  private watcher: Watcher | undefined = undefined;
  private timer: TimerHandle | undefined = undefined;
  private wake: (() => void) | undefined = undefined;
  private warned = new Set<string>();
  private problem = "no instance list arrived yet";
  private lastError: unknown = undefined;
  private closed = false;
  private closing: Promise<void> | undefined = undefined;

  constructor(options: ResolverOptions) {
    this.serviceName = options.serviceName;
    this.discovery = options.discovery;
    this.settings = {
      serviceName: options.serviceName,
      family: options.family,
      subsetKey: options.subsetKey ?? randomSubsetKey(),
      subsetSize: options.subsetSize ?? DEFAULT_SUBSET_SIZE,
    };
    this.clock = checkClock(options.clock, WHERE);
    this.logger = checkLogger(options.logger, WHERE);
    const backoff = checkBackoff(options.backoff, { where: WHERE, name: "backoff" });
    this.backoff = createBackoff(backoff, "resolver: backoff");
    this.onUpdate = options.onUpdate;
    this.onError = options.onError;
    this.gate = new ReadyGate(this.clock);
    // Start on a later tick: nothing reaches the discovery or the consumer from the constructor.
    // Every user callback in the loop is isolated, so run() is not expected to reject; if it
    // does, the report cannot throw (warnSafely) and nothing is left unhandled.
    queueMicrotask(() => {
      this.run().catch((error) =>
        warnSafely(this.logger, `resolver: the watch of "${this.serviceName}" died`, { error }),
      );
    });
  }

  ready(options: ReadyOptions = {}): Promise<void> {
    if (this.closed) return Promise.reject(resolverClosedError(this.serviceName));
    if (this.last !== undefined) return Promise.resolve();
    const { timeoutMs = DEFAULT_READY_TIMEOUT_MS, signal } = options;
    if (typeof timeoutMs !== "number" || !(timeoutMs > 0)) {
      const message = `resolver: ready() timeoutMs must be a positive number of ms or Infinity, got ${timeoutMs}`;
      return Promise.reject(new InvalidArgumentError(message));
    }
    if (signal?.aborted) return Promise.reject(signal.reason);
    return this.gate.wait(timeoutMs, signal, () =>
      resolveTimeoutError(this.settings, timeoutMs, this.problem, this.lastError),
    );
  }

  current(): ResolverUpdate | undefined {
    return this.last;
  }

  close(): Promise<void> {
    this.closed = true;
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.abort.abort(resolverClosedError(this.serviceName));
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.wake?.();
    this.gate.fail(resolverClosedError(this.serviceName));
    const watcher = this.watcher;
    this.watcher = undefined;
    if (watcher !== undefined) await this.stop(watcher);
  }

  private async run(): Promise<void> {
    while (!this.closed) {
      const error = await this.follow();
      if (this.closed) return;
      const delay = this.backoff.next();
      this.retrying(error, delay);
      await this.sleep(delay);
    }
  }

  /** Watches until the watcher fails or ends; returns why. */
  private async follow(): Promise<unknown> {
    let watcher: Watcher | undefined;
    try {
      watcher = this.discovery.watch(this.serviceName, { signal: this.abort.signal });
      this.watcher = watcher;
      for (;;) {
        const instances: unknown = await watcher.next({ signal: this.abort.signal });
        if (this.closed) return undefined; // closed meanwhile: discard the result
        if (!Array.isArray(instances)) {
          throw new RegistryError(
            `resolver: the watch of "${this.serviceName}" yielded ${typeof instances}, not an instance list`,
          );
        }
        this.backoff.reset();
        this.accept(instances);
      }
    } catch (error) {
      if (watcher !== undefined && this.watcher === watcher) {
        this.watcher = undefined;
        void this.stop(watcher);
      }
      return error;
    }
  }

  private accept(instances: readonly ServiceInstance[]): void {
    const seen = new Set<string>();
    const update = buildUpdate(instances, this.settings, this.last, (message, details) => {
      seen.add(message);
      if (!this.warned.has(message)) warnSafely(this.logger, message, details);
    });
    this.warned = seen;
    const service = JSON.stringify(this.serviceName);
    if (update.nodes.length === 0) {
      const listed = `${instances.length} instance(s) listed`;
      this.report(`refused an update of ${service} that leaves no usable node (${listed})`, undefined);
      return;
    }
    if (this.last !== undefined && sameNodes(this.last.nodes, update.nodes)) return;
    try {
      this.onUpdate(update);
    } catch (error) {
      this.report(`onUpdate for ${service} threw, the update is dropped: ${errorMessage(error)}`, error);
      return;
    }
    this.last = update;
    this.gate.open();
  }

  private retrying(error: unknown, delay: number): void {
    const service = JSON.stringify(this.serviceName);
    const what =
      error instanceof WatcherStoppedError
        ? `the watch of ${service} ended`
        : `watching ${service} failed: ${errorMessage(error)}`;
    this.report(`${what}; retrying in ${Math.round(delay)} ms`, error);
  }

  /** Logs a problem with what keeps serving, keeps it for a timeout message, passes errors to onError. */
  private report(problem: string, error: unknown): void {
    this.problem = problem;
    const count = this.last?.nodes.length ?? 0;
    const keeping = count > 0 ? `the last ${count} node(s) keep serving` : "no node is known yet";
    warnSafely(this.logger, `resolver: ${problem}; ${keeping}`, { service: this.serviceName, error });
    if (error === undefined) return;
    this.lastError = error;
    try {
      this.onError?.(error);
    } catch (thrown) {
      const service = JSON.stringify(this.serviceName);
      warnSafely(this.logger, `resolver: onError for ${service} threw: ${errorMessage(thrown)}`, {
        service: this.serviceName,
        error: thrown,
      });
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        this.timer = undefined;
        this.wake = undefined;
        resolve();
      };
      this.wake = done;
      this.timer = this.clock.setTimeout(done, ms);
    });
  }

  private async stop(watcher: Watcher): Promise<void> {
    try {
      await watcher.stop();
    } catch (error) {
      debugSafely(this.logger, `resolver: stopping the watch of "${this.serviceName}" failed`, { error });
    }
  }
}

/**
 * Starts resolving a service: watches it, turns each instance list into nodes of `family`
 * (instances without such an endpoint skipped, duplicate addresses dropped, cut to a subset), and
 * hands each new non-empty list to `onUpdate`. An update with no usable node is refused and
 * logged; the last good list stays. A watch that fails or ends is re-created after an exponential
 * backoff with jitter, reset by the next update. Nothing happens synchronously: the watch starts
 * on a later tick, and `onUpdate` is never called from within this function.
 * @throws InvalidArgumentError when an option is missing or out of range.
 */
export function createResolver(options: ResolverOptions): Resolver {
  checkResolverOptions(options);
  return new WatchResolver(options);
}
