import { readFileSync } from "node:fs";
import { type Clock, InvalidArgumentError, type Logger, type RegistryError } from "@switchyard/api";
import {
  type BackoffSettings,
  checkBackoff,
  checkClock,
  checkLogger,
  checkMs,
  SecretSet,
} from "@switchyard/kit";
import type { Dispatcher } from "undici";
import type {
  ConsulErrorContext,
  ConsulFetch,
  ConsulRegistryOptions,
  ConsulServiceCheck,
  ConsulTlsOptions,
} from "./options.js";

/** Every option of the registry, checked and with its default. */
export interface Settings {
  /** Base URL of the agent, without a trailing slash. */
  readonly baseUrl: string;
  readonly socketPath: string | undefined;
  readonly token: string;
  /** The token and the TLS private key: what no error, log line or inspected object may show. */
  readonly secrets: SecretSet;
  readonly datacenter: string;
  readonly namespace: string;
  readonly partition: string;
  readonly tls: ConsulTlsOptions | undefined;
  readonly requestTimeoutMs: number;
  readonly fetch: ConsulFetch | undefined;
  readonly dispatcher: Dispatcher | undefined;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly onError: ((error: RegistryError, context: ConsulErrorContext) => void) | undefined;
  readonly tags: readonly string[];
  readonly heartbeat: { readonly ttlMs: number; readonly intervalMs: number } | undefined;
  readonly check: ConsulServiceCheck | undefined;
  readonly deregisterAfterMs: number | undefined;
  readonly minimumHealth: "passing" | "warning" | "critical";
  readonly waitMs: number;
  readonly rateLimit: { readonly burst: number; readonly intervalMs: number };
  /** Retry delays of watches; `random` is the registry's `random` unless set here. */
  readonly backoff: BackoffSettings;
  /** The random source of rate-limit jitter. */
  readonly random: () => number;
}

const fail = (message: string): never => {
  throw new InvalidArgumentError(`consul: ${message}`);
};

const ms = (value: number | undefined, name: string, fallback: number, min: number, max?: number): number =>
  checkMs(value, { where: "consul", name, fallback, min, max });

function truthy(value: string | undefined): boolean {
  return value !== undefined && ["1", "t", "true", "yes"].includes(value.toLowerCase());
}

function readEnvFile(env: Readonly<Record<string, string | undefined>>, name: string): Buffer | undefined {
  const path = env[name];
  if (!path) return undefined;
  try {
    return readFileSync(path);
  } catch (cause) {
    throw new InvalidArgumentError(`consul: cannot read ${name} (${path}); fix the path or unset it`, {
      cause,
    });
  }
}

function parseAddress(address: string, ssl: boolean): { baseUrl: string; socketPath: string | undefined } {
  if (address.startsWith("unix://")) return { baseUrl: "http://localhost", socketPath: address.slice(7) };
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(address)
    ? address
    : `${ssl ? "https" : "http"}://${address}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch (cause) {
    throw new InvalidArgumentError(
      `consul: address ${JSON.stringify(address)} is not host:port or a URL; use e.g. "127.0.0.1:8500"`,
      { cause },
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    fail(`address ${JSON.stringify(address)} must use http, https or unix, not ${url.protocol}`);
  }
  return { baseUrl: `${url.origin}${url.pathname.replace(/\/+$/, "")}`, socketPath: undefined };
}

function envTls(env: Readonly<Record<string, string | undefined>>): ConsulTlsOptions | undefined {
  const ca = readEnvFile(env, "CONSUL_CACERT");
  const cert = readEnvFile(env, "CONSUL_CLIENT_CERT");
  const key = readEnvFile(env, "CONSUL_CLIENT_KEY");
  const servername = env.CONSUL_TLS_SERVER_NAME || undefined;
  const verify = env.CONSUL_HTTP_SSL_VERIFY;
  const rejectUnauthorized = verify === undefined || verify === "" ? undefined : truthy(verify);
  if (!ca && !cert && !key && !servername && rejectUnauthorized === undefined) return undefined;
  return { ca, cert, key, servername, rejectUnauthorized };
}

function heartbeat(option: ConsulRegistryOptions["heartbeat"]): Settings["heartbeat"] {
  if (option === false) return undefined;
  const given = option === true || option === undefined ? {} : option;
  const ttlMs = ms(given.ttlMs, "heartbeat.ttlMs", 30_000, 1000);
  const intervalMs = ms(given.intervalMs, "heartbeat.intervalMs", Math.round(ttlMs / 3), 100);
  if (intervalMs > ttlMs / 2) {
    fail(
      `heartbeat.intervalMs (${intervalMs}) must be at most half of ttlMs (${ttlMs}), or one late pass turns the instance critical`,
    );
  }
  return { ttlMs, intervalMs };
}

function check(option: ConsulServiceCheck | undefined): ConsulServiceCheck | undefined {
  if (option === undefined) return undefined;
  if (!["tcp", "http", "grpc"].includes(option.type)) {
    fail(`check.type must be "tcp", "http" or "grpc", got ${String(option.type)}`);
  }
  ms(option.intervalMs, "check.intervalMs", 10_000, 1000);
  ms(option.timeoutMs, "check.timeoutMs", 5000, 1);
  return option;
}

function deregisterAfter(value: number | undefined): number {
  if (value !== undefined && typeof value === "number" && value < 60_000) {
    fail(
      `deregisterCriticalServiceAfterMs must be at least 60000: Consul's minimum is 1 minute and it would ` +
        `silently raise ${value} ms to it; pass false to never remove critical instances`,
    );
  }
  return ms(value, "deregisterCriticalServiceAfterMs", 600_000, 60_000);
}

/** Checks the options and fills in defaults from the environment and Consul's conventions. */
export function resolveSettings(options: ConsulRegistryOptions = {}): Settings {
  if (typeof options !== "object" || options === null) fail("expected an options object");
  const env = options.env ?? process.env;
  const ssl = truthy(env.CONSUL_HTTP_SSL);
  const { baseUrl, socketPath } = parseAddress(
    options.address ?? (env.CONSUL_HTTP_ADDR || "127.0.0.1:8500"),
    ssl,
  );
  const tokenFile = env.CONSUL_HTTP_TOKEN_FILE ? readEnvFile(env, "CONSUL_HTTP_TOKEN_FILE") : undefined;
  const after = options.deregisterCriticalServiceAfterMs;
  const minimumHealth = options.minimumHealth ?? "passing";
  if (!["passing", "warning", "critical"].includes(minimumHealth)) {
    fail(`minimumHealth must be "passing", "warning" or "critical", got ${String(minimumHealth)}`);
  }
  for (const name of ["fetch", "onError", "random"] as const) {
    if (options[name] !== undefined && typeof options[name] !== "function")
      fail(`${name} must be a function`);
  }
  const tags = options.tags ?? [];
  if (!Array.isArray(tags) || tags.some((t) => typeof t !== "string"))
    fail("tags must be an array of strings");
  const burst = options.rateLimit?.burst ?? 2;
  if (!Number.isInteger(burst) || burst < 1)
    fail(`rateLimit.burst must be an integer ≥ 1, got ${String(burst)}`);
  const random = options.random ?? Math.random;
  const token = options.token ?? (env.CONSUL_HTTP_TOKEN || tokenFile?.toString("utf8").trim() || "");
  if (typeof token !== "string") fail("token must be a string (an ACL token's secret ID)");
  const tls = options.tls ?? envTls(env);
  const secrets = new SecretSet();
  secrets.add(token);
  secrets.add(tls?.key);
  return {
    baseUrl,
    socketPath,
    token,
    secrets,
    datacenter: options.datacenter ?? "",
    namespace: options.namespace ?? env.CONSUL_NAMESPACE ?? "",
    partition: options.partition ?? env.CONSUL_PARTITION ?? "",
    tls,
    requestTimeoutMs: ms(options.requestTimeoutMs, "requestTimeoutMs", 10_000, 1),
    fetch: options.fetch,
    dispatcher: options.dispatcher,
    clock: checkClock(options.clock, "consul"),
    logger: checkLogger(options.logger, "consul"),
    onError: options.onError,
    tags,
    heartbeat: heartbeat(options.heartbeat),
    check: check(options.check),
    deregisterAfterMs: after === false ? undefined : deregisterAfter(after),
    minimumHealth,
    waitMs: ms(options.waitMs, "waitMs", 55_000, 1, 600_000),
    rateLimit: { burst, intervalMs: ms(options.rateLimit?.intervalMs, "rateLimit.intervalMs", 1000, 0) },
    backoff: checkBackoff(options.backoff, { where: "consul", name: "backoff", random }),
    random,
  };
}
