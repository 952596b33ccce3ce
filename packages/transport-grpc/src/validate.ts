import { InvalidArgumentError } from "@switchyard/api";
import type { SwitchyardChannelOptions } from "./options.js";

const fail = (message: string): never => {
  throw new InvalidArgumentError(`transport-grpc: ${message}`);
};

/** Checks `createChannelOptions` options, naming the bad one. */
export function checkOptions(options: SwitchyardChannelOptions): void {
  if (typeof options !== "object" || options === null) fail("createChannelOptions expects an options object");
  if (typeof options.target !== "string" || options.target === "") {
    fail(`target must be "discovery:///<service>" or "host:port", got ${String(options.target)}`);
  }
  if (options.discovery !== undefined && typeof options.discovery?.watch !== "function") {
    fail("discovery must be a Discovery (an object with watch()), such as createMemoryRegistry()");
  }
  if (options.selector !== undefined && typeof options.selector?.build !== "function") {
    fail("selector must be a SelectorBuilder such as wrr() or p2c()");
  }
  if (options.filters !== undefined && !Array.isArray(options.filters)) {
    fail(`filters must be an array of node filters, got ${typeof options.filters}`);
  }
  for (const filter of options.filters ?? []) {
    if (typeof filter !== "function") fail(`filters must be functions, got ${typeof filter}`);
  }
  const size = options.subsetSize;
  if (size !== undefined && (!Number.isInteger(size) || size < 0)) {
    fail(`subsetSize must be a non-negative integer (0 keeps every node), got ${String(size)}`);
  }
  if (options.subsetKey !== undefined && typeof options.subsetKey !== "string") {
    fail(`subsetKey must be a string, got ${typeof options.subsetKey}`);
  }
  const channel = options.channelOptions;
  if (channel !== undefined && (typeof channel !== "object" || channel === null)) {
    fail(`channelOptions must be an object of grpc-js channel options, got ${String(channel)}`);
  }
  if (options.logger !== undefined && typeof options.logger?.warn !== "function") {
    fail("logger must have a warn(message, details) method, such as console");
  }
  const clock = options.clock;
  if (clock !== undefined && (typeof clock?.now !== "function" || typeof clock.setTimeout !== "function")) {
    fail("clock must be a Clock (now, setTimeout, clearTimeout)");
  }
}
