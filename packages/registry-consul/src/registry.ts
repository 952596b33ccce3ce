import { inspect } from "node:util";
import type { Discovery, Registrar, RegistryCallOptions, ServiceInstance, Watcher } from "@switchyard/api";
import { RegistryError } from "@switchyard/api";
import { REDACTED } from "@switchyard/kit";
import { ConsulDiscovery } from "./discovery.js";
import { ConsulHttp } from "./http.js";
import type { ConsulRegistryOptions } from "./options.js";
import { ConsulRegistrar } from "./registrar.js";
import { resolveSettings, type Settings } from "./settings.js";

/** A registrar and a discovery over one Consul agent. */
export interface ConsulRegistry extends Registrar, Discovery {
  /**
   * Stops every heartbeat and watcher and closes the connection pool. It does not deregister:
   * call `deregister` first for a graceful exit (instances left behind turn critical after their
   * TTL and leave the passing list). Idempotent.
   */
  close(): Promise<void>;
}

class Registry implements ConsulRegistry {
  private readonly settings: Settings;
  private readonly http: ConsulHttp;
  private readonly registrar: ConsulRegistrar;
  private readonly discovery: ConsulDiscovery;
  private closing: Promise<void> | undefined = undefined;

  constructor(options: ConsulRegistryOptions | undefined) {
    const settings = resolveSettings(options);
    this.settings = settings;
    this.http = new ConsulHttp(settings);
    this.registrar = new ConsulRegistrar(this.http, settings);
    this.discovery = new ConsulDiscovery(this.http, settings);
  }

  register(instance: ServiceInstance, options?: RegistryCallOptions): Promise<void> {
    return this.open("register()").then(() => this.registrar.register(instance, options));
  }

  deregister(instance: ServiceInstance, options?: RegistryCallOptions): Promise<void> {
    return this.open("deregister()").then(() => this.registrar.deregister(instance, options));
  }

  getService(serviceName: string, options?: RegistryCallOptions): Promise<readonly ServiceInstance[]> {
    return this.open("getService()").then(() => this.discovery.getService(serviceName, options));
  }

  watch(serviceName: string, options?: RegistryCallOptions): Watcher {
    if (this.closing !== undefined) throw this.closedError("watch()");
    return this.discovery.watch(serviceName, options);
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.registrar.close();
      await this.discovery.close();
      await this.http.close();
    })();
    return this.closing;
  }

  /** What `console.log` and `JSON.stringify` show: where it talks, never the token or the TLS key. */
  toJSON(): Record<string, unknown> {
    const { baseUrl, socketPath, datacenter, token, tls } = this.settings;
    return {
      address: socketPath === undefined ? baseUrl : `unix://${socketPath}`,
      ...(datacenter === "" ? {} : { datacenter }),
      token: token === "" ? "(none)" : REDACTED,
      ...(tls?.key === undefined ? {} : { tlsKey: REDACTED }),
      closed: this.closing !== undefined,
    };
  }

  [inspect.custom](): string {
    return `ConsulRegistry ${inspect(this.toJSON())}`;
  }

  private open(call: string): Promise<void> {
    return this.closing === undefined ? Promise.resolve() : Promise.reject(this.closedError(call));
  }

  private closedError(call: string): RegistryError {
    return new RegistryError(
      `consul: ${call} on a closed registry; create a new one with createConsulRegistry()`,
      {
        retryable: false,
      },
    );
  }
}

/**
 * Creates a registrar and discovery over the Consul agent HTTP API. Nothing is sent until it is
 * used. Registration follows Kratos's mapping (Go services built with Kratos and Node clients see
 * each other); discovery reads `/v1/health/service/:name?passing` and watches with blocking
 * queries. Defaults: `CONSUL_HTTP_ADDR` (else 127.0.0.1:8500), `CONSUL_HTTP_TOKEN`, a TTL
 * heartbeat of 30 s passed every 10 s, removal after 10 min critical, a 55 s blocking wait.
 * @throws InvalidArgumentError when an option is out of range or a TLS file cannot be read.
 */
export function createConsulRegistry(options?: ConsulRegistryOptions): ConsulRegistry {
  return new Registry(options);
}
