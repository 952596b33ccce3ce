import { experimental, status } from "@grpc/grpc-js";
import { METHOD_PICK_KEY } from "../channel/names.js";

type CallConfig = ReturnType<experimental.ConfigSelector["invoke"]>;
type MethodConfig = CallConfig["methodConfig"];

const MAX_CACHED_METHODS = 100;
const NO_FILTER_FACTORIES: CallConfig["dynamicFilterFactories"] = Object.freeze([]) as never;

interface RawName {
  readonly service?: unknown;
  readonly method?: unknown;
}

function names(config: Record<string, unknown>): readonly RawName[] {
  return Array.isArray(config.name) ? (config.name as RawName[]) : [];
}

// grpc-js validates the service config JSON before any resolver exists; this only turns the
// JSON form of `timeout` ("1.5s") into the Duration grpc-js reads.
function toMethodConfig(raw: Record<string, unknown>): MethodConfig {
  const { timeout, ...rest } = raw;
  const config: Record<string, unknown> = { ...rest, name: names(raw) };
  const duration = typeof timeout === "string" ? experimental.parseDuration(timeout) : timeout;
  if (duration !== undefined && duration !== null) config.timeout = duration;
  return config as unknown as MethodConfig;
}

type Level = (name: RawName, service: string, method: string) => boolean;
const LEVELS: readonly Level[] = [
  (n, service, method) => n.service === service && n.method === method,
  (n, service) => n.service === service && !n.method,
  (n) => !n.service && !n.method,
];

/**
 * The config selector the discovery resolver hands grpc-js: it gives each call the method config
 * of the service config (most specific name first, as grpc-js does) and passes the full method
 * name (`/package.Service/Method`) to the picker as pick information. One frozen call config per
 * method is cached, so a call costs a map lookup.
 */
export class MethodConfigSelector implements experimental.ConfigSelector {
  private readonly configs: readonly Record<string, unknown>[];
  private readonly cache = new Map<string, CallConfig>();

  /** @param serviceConfig the parsed `grpc.service_config` of the channel, if any. */
  constructor(serviceConfig: Record<string, unknown> | undefined) {
    const list = serviceConfig?.methodConfig;
    this.configs = Array.isArray(list) ? (list as Record<string, unknown>[]) : [];
  }

  invoke(methodName: string): CallConfig {
    let config = this.cache.get(methodName);
    if (config === undefined) {
      config = Object.freeze({
        methodConfig: this.match(methodName),
        pickInformation: Object.freeze({ [METHOD_PICK_KEY]: methodName }),
        status: status.OK,
        dynamicFilterFactories: NO_FILTER_FACTORIES,
      });
      if (this.cache.size < MAX_CACHED_METHODS) this.cache.set(methodName, config);
    }
    return config;
  }

  /** grpc-js calls this when it replaces the selector; the same selector is handed back on every update. */
  unref(): void {}

  private match(methodName: string): MethodConfig {
    const parts = methodName.split("/").filter((part) => part.length > 0);
    const service = parts[0] ?? "";
    const method = parts[1] ?? "";
    for (const level of LEVELS) {
      for (const config of this.configs) {
        if (names(config).some((name) => level(name, service, method))) return toMethodConfig(config);
      }
    }
    return { name: [] };
  }
}
