import { InvalidArgumentError } from "@switchyard/api";
import type { HttpClientOptions } from "./options.js";

const fail = (message: string): never => {
  throw new InvalidArgumentError(`transport-http: ${message}`);
};

function positive(value: number | undefined, name: string): void {
  if (value !== undefined && !(typeof value === "number" && value > 0 && Number.isFinite(value))) {
    fail(`${name} must be a positive number of ms, got ${String(value)}`);
  }
}

/** Checks `createClient` options, naming the bad one. */
export function checkOptions(options: HttpClientOptions): void {
  if (typeof options !== "object" || options === null) fail("createClient expects an options object");
  if (options.selector !== undefined && typeof options.selector?.build !== "function") {
    fail("selector must be a SelectorBuilder such as wrr() or p2c()");
  }
  if (options.discovery !== undefined && typeof options.discovery?.watch !== "function") {
    fail("discovery must be a Discovery (an object with watch())");
  }
  for (const filter of options.filters ?? []) {
    if (typeof filter !== "function") fail(`filters must be functions, got ${typeof filter}`);
  }
  positive(options.connectTimeoutMs, "connectTimeoutMs");
  positive(options.headersTimeoutMs, "headersTimeoutMs");
  positive(options.bodyTimeoutMs, "bodyTimeoutMs");
  if (typeof options.block === "object" && options.block !== null)
    positive(options.block.timeoutMs, "block.timeoutMs");
  const retry = options.retry;
  if (typeof retry === "object" && retry !== null && retry.attempts !== undefined) {
    if (!Number.isInteger(retry.attempts) || retry.attempts < 1) {
      fail(`retry.attempts must be an integer ≥ 1, got ${String(retry.attempts)}`);
    }
  }
}
