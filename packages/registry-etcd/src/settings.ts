import { type Clock, InvalidArgumentError, type Logger } from "@switchyard/api";
import { type BackoffSettings, checkBackoff, checkClock, checkLogger, SecretSet } from "@switchyard/kit";
import type { EtcdRegistryOptions } from "./options.js";

/** The registry's options, checked, with defaults filled in. */
export interface Settings {
  /** Key prefix without a trailing slash, such as `/microservices`. */
  readonly namespace: string;
  /** Lease TTL in whole seconds, as etcd takes it. */
  readonly ttlSeconds: number;
  readonly dialTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly logger: Logger;
  readonly clock: Clock;
  /** Retry delays of watches and re-registrations; `random` is the registry's `random` unless set here. */
  readonly backoff: BackoffSettings;
  /**
   * The password, the TLS private key and every auth token etcd hands out: what no error, log
   * line or inspected object may show.
   */
  readonly secrets: SecretSet;
}

/** Kratos's namespace, so that Go services built with Kratos and Node services see each other. */
export const DEFAULT_NAMESPACE = "/microservices";

const WHERE = "etcd: createEtcdRegistry";

function fail(message: string): never {
  throw new InvalidArgumentError(`${WHERE}: ${message}`);
}

function positive(value: unknown, name: string, fallback: number, min = 0): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value <= min) {
    fail(`${name} must be a finite number of milliseconds above ${min}, got ${String(value)}`);
  }
  return value;
}

function checkNamespace(value: unknown): string {
  if (value === undefined) return DEFAULT_NAMESPACE;
  if (typeof value !== "string")
    fail(`namespace must be a string such as "/microservices", got ${String(value)}`);
  return value.replace(/\/+$/, "");
}

/**
 * Checks the options that do not concern the connection, and fills in defaults.
 * @throws InvalidArgumentError naming the first bad option.
 */
export function resolveSettings(options: EtcdRegistryOptions): Settings {
  const leaseTtlMs = positive(options.leaseTtlMs, "leaseTtlMs", 15_000);
  if (leaseTtlMs < 1000)
    fail(`leaseTtlMs must be at least 1000 (etcd counts whole seconds), got ${leaseTtlMs}`);
  const random = options.random ?? Math.random;
  if (typeof random !== "function") fail("random must be a function returning a number in [0, 1)");
  const secrets = new SecretSet();
  secrets.add(options.auth?.password);
  secrets.add(options.tls?.key);
  return {
    namespace: checkNamespace(options.namespace),
    ttlSeconds: Math.ceil(leaseTtlMs / 1000),
    dialTimeoutMs: positive(options.dialTimeoutMs, "dialTimeoutMs", 5000),
    requestTimeoutMs: positive(options.requestTimeoutMs, "requestTimeoutMs", 10_000),
    logger: checkLogger(options.logger, WHERE),
    clock: checkClock(options.clock, WHERE),
    backoff: checkBackoff(options.backoff, { where: WHERE, name: "backoff", random }),
    secrets,
  };
}
