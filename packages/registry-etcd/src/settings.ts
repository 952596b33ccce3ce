import { type Clock, InvalidArgumentError, type Logger, systemClock } from "@switchyard/api";
import { SecretSet } from "@switchyard/kit";
import type { BackoffSettings } from "./backoff.js";
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
  readonly backoff: BackoffSettings;
  readonly random: () => number;
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

function checkBackoff(options: EtcdRegistryOptions["backoff"]): BackoffSettings {
  if (options !== undefined && (typeof options !== "object" || options === null)) {
    fail(`backoff must be an object such as { initialMs: 1000, maxMs: 30000 }, got ${String(options)}`);
  }
  const maxMs = positive(options?.maxMs, "backoff.maxMs", 30_000);
  const initialMs = positive(options?.initialMs, "backoff.initialMs", Math.min(1000, maxMs));
  if (initialMs > maxMs) fail(`backoff.initialMs (${initialMs}) must not exceed backoff.maxMs (${maxMs})`);
  const multiplier = options?.multiplier ?? 1.6;
  if (typeof multiplier !== "number" || !Number.isFinite(multiplier) || multiplier < 1) {
    fail(`backoff.multiplier must be a number ≥ 1, got ${String(multiplier)}`);
  }
  const jitter = options?.jitter ?? 0.2;
  if (typeof jitter !== "number" || !(jitter >= 0 && jitter <= 1)) {
    fail(`backoff.jitter must be a fraction from 0 to 1, got ${String(jitter)}`);
  }
  return { initialMs, maxMs, multiplier, jitter };
}

function checkNamespace(value: unknown): string {
  if (value === undefined) return DEFAULT_NAMESPACE;
  if (typeof value !== "string")
    fail(`namespace must be a string such as "/microservices", got ${String(value)}`);
  return value.replace(/\/+$/, "");
}

function checkLogger(value: unknown): Logger {
  if (value === undefined) return console;
  if (typeof value !== "object" || value === null || typeof (value as Logger).warn !== "function") {
    fail("logger must have a warn(message, details) method; console fits");
  }
  return value as Logger;
}

function checkClock(value: unknown): Clock {
  if (value === undefined) return systemClock;
  const clock = value as Partial<Clock> | null;
  if (
    typeof clock !== "object" ||
    clock === null ||
    typeof clock.now !== "function" ||
    typeof clock.setTimeout !== "function" ||
    typeof clock.clearTimeout !== "function"
  ) {
    fail("clock must have now(), setTimeout() and clearTimeout(); leave it out for the system clock");
  }
  return clock as Clock;
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
    logger: checkLogger(options.logger),
    clock: checkClock(options.clock),
    backoff: checkBackoff(options.backoff),
    random,
    secrets,
  };
}
