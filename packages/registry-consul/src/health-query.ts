import { RegistryError, type ServiceInstance } from "@switchyard/api";
import { goDuration } from "./duration.js";
import { parseEntries } from "./entries.js";
import type { ConsulHttp } from "./http.js";
import type { Settings } from "./settings.js";

/** One answer of `/v1/health/service/:name`, mapped. */
export interface HealthResult {
  readonly instances: readonly ServiceInstance[];
  readonly skipped: readonly string[];
  /** Ids of instances whose entry had no usable address. */
  readonly unusable: readonly string[];
  /** The `X-Consul-Index` of the answer. */
  readonly index: number;
}

/**
 * Reads the instances of `serviceName`. With `index` > 0 it is a blocking query that Consul holds
 * until the service changes past that index or `waitMs` elapses (plus Consul's jitter of wait/16).
 * @throws RegistryError when the agent fails, refuses, or sends a reply that is not a list with
 * an index; the signal's reason when `signal` aborts.
 */
export async function queryHealth(
  http: ConsulHttp,
  settings: Settings,
  serviceName: string,
  index: number,
  signal: AbortSignal | undefined,
): Promise<HealthResult> {
  const what = `reading the instances of "${serviceName}"`;
  const blocking = index > 0;
  const reply = await http.send({
    method: "GET",
    path: `/v1/health/service/${encodeURIComponent(serviceName)}`,
    query: {
      passing: settings.minimumHealth === "passing" ? true : undefined,
      dc: settings.datacenter,
      index: blocking ? index : undefined,
      wait: blocking ? goDuration(settings.waitMs) : undefined,
    },
    signal,
    timeoutMs: blocking
      ? settings.waitMs + settings.waitMs / 16 + settings.requestTimeoutMs
      : settings.requestTimeoutMs,
    what,
  });
  const header = reply.headers.get("x-consul-index");
  const replyIndex = header === null || !/^\d+$/.test(header.trim()) ? Number.NaN : Number(header.trim());
  const parsed = parseEntries(http.json(reply, what), serviceName, settings.minimumHealth);
  if (parsed === undefined || !Number.isSafeInteger(replyIndex)) {
    const problem =
      parsed === undefined ? "a body that is not a list of entries" : `X-Consul-Index ${http.quote(header)}`;
    throw new RegistryError(`consul: ${what} got ${problem}; is ${settings.baseUrl} a Consul agent?`, {
      status: reply.status,
      retryable: true,
    });
  }
  return { ...parsed, index: replyIndex };
}
