import type { Logger, RegistryError, ServiceInstance } from "@switchyard/api";
import { createFakeClock, type FakeClock } from "@switchyard/testkit";
import {
  type ConsulDouble,
  type ConsulDoubleOptions,
  type ConsulRecordedRequest,
  startConsulDouble,
} from "@switchyard/testkit/consul";
import {
  type ConsulErrorContext,
  type ConsulRegistry,
  type ConsulRegistryOptions,
  createConsulRegistry,
} from "../src/index.js";

/** A double and registries on one fake clock, and everything the registries reported. */
export interface Rig {
  readonly clock: FakeClock;
  readonly double: ConsulDouble;
  readonly errors: Array<{ error: RegistryError; context: ConsulErrorContext }>;
  readonly warnings: string[];
  readonly logger: Logger;
  /** A registry on the double; closed by `close()`. */
  registry(options?: ConsulRegistryOptions): ConsulRegistry;
  close(): Promise<void>;
}

/** Starts a double (jitter off) and a factory of registries that share its fake clock. */
export async function startRig(doubleOptions: ConsulDoubleOptions = {}): Promise<Rig> {
  const clock = createFakeClock();
  const double = await startConsulDouble({ clock, blockingJitter: false, ...doubleOptions });
  const errors: Rig["errors"] = [];
  const warnings: string[] = [];
  const logger: Logger = { warn: (message) => warnings.push(message) };
  const registries: ConsulRegistry[] = [];
  return {
    clock,
    double,
    errors,
    warnings,
    logger,
    registry(options = {}) {
      const registry = createConsulRegistry({
        address: double.address,
        clock,
        logger,
        env: {},
        onError: (error, context) => errors.push({ error, context }),
        waitMs: 10_000,
        requestTimeoutMs: 60_000,
        rateLimit: { burst: 1000 },
        random: () => 0,
        ...options,
      });
      registries.push(registry);
      return registry;
    },
    async close() {
      await Promise.all(registries.map((r) => r.close()));
      await double.close();
    },
  };
}

/** An instance of "api" at 10.0.0.<n>. */
export function instance(n: number, overrides: Partial<ServiceInstance> = {}): ServiceInstance {
  return {
    id: `api-${n}`,
    name: "api",
    version: "1.0.0",
    metadata: { zone: "a" },
    endpoints: [`http://10.0.0.${n}:8000`, `grpc://10.0.0.${n}:9000`],
    ...overrides,
  };
}

export const ids = (list: readonly ServiceInstance[]): string[] => list.map((i) => i.id).sort();

const isHealthQuery = (r: ConsulRecordedRequest): boolean => r.path.startsWith("/v1/health/service/");

/**
 * The `n`-th health query (1-based) the double received, now or when it arrives: by the time
 * query n + 1 arrives, the watcher has handled the answer to query n.
 */
export async function healthQuery(double: ConsulDouble, n: number): Promise<ConsulRecordedRequest> {
  for (;;) {
    const found = double.requests.filter(isHealthQuery)[n - 1];
    if (found !== undefined) return found;
    await double.nextRequest(isHealthQuery);
  }
}

/** How many health queries the double received so far. */
export const healthQueries = (double: ConsulDouble): number => double.requests.filter(isHealthQuery).length;

/** Whether `promise` is still pending after pending I/O callbacks ran. */
export async function isPending(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
  return !settled;
}

/**
 * Resolves once `predicate` holds, checking after each turn of the event loop: for results that
 * travel over loopback I/O (never for time-based behaviour, which the fake clock drives).
 */
export async function until(predicate: () => boolean, what = "the condition"): Promise<void> {
  for (let turn = 0; turn < 5000; turn++) {
    if (predicate()) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error(`until: ${what} did not hold after 5000 event-loop turns`);
}
