import {
  InvalidArgumentError,
  type Registrar,
  type RegistryCallOptions,
  RegistryError,
  type ServiceInstance,
} from "@switchyard/api";
import { Heartbeat } from "./heartbeat.js";
import type { ConsulHttp } from "./http.js";
import { buildRegistration } from "./registration.js";
import type { Settings } from "./settings.js";

/**
 * Registers instances with the local Consul agent and keeps their TTL checks passing. The agent
 * forgets nothing on its own except by `DeregisterCriticalServiceAfter`; `deregister` removes the
 * instance and stops its heartbeat.
 */
export class ConsulRegistrar implements Registrar {
  private readonly http: ConsulHttp;
  private readonly settings: Settings;
  private readonly heartbeats = new Map<string, Heartbeat>();
  private closed = false;

  constructor(http: ConsulHttp, settings: Settings) {
    this.http = http;
    this.settings = settings;
  }

  /**
   * Registers `instance` (again, if it is registered: the registration is replaced), passes its
   * TTL check at once and keeps passing it.
   * @throws InvalidArgumentError for an instance Consul cannot hold (no endpoints, a bad URL, bad
   * metadata); RegistryError when the agent fails or refuses (then nothing stays registered).
   */
  async register(instance: ServiceInstance, options?: RegistryCallOptions): Promise<void> {
    const { body, ttlCheckId } = buildRegistration(instance, this.settings);
    const { id, name } = instance;
    const put = async (signal: AbortSignal | undefined): Promise<void> => {
      await this.http.send({
        method: "PUT",
        path: "/v1/agent/service/register",
        query: { "replace-existing-checks": "true" },
        body,
        signal,
        timeoutMs: this.settings.requestTimeoutMs,
        what: `registering instance "${id}" of "${name}"`,
      });
    };
    await put(options?.signal);
    // Replaced only now: if the registration failed, the old heartbeat keeps the old one passing.
    this.heartbeats.get(id)?.stop();
    this.heartbeats.delete(id);
    if (ttlCheckId === undefined) return;
    if (this.closed) {
      throw new RegistryError(`consul: the registry closed while registering "${id}"; it has no heartbeat`, {
        retryable: false,
      });
    }
    const heartbeat = new Heartbeat(this.http, this.settings, {
      serviceName: name,
      instanceId: id,
      checkId: ttlCheckId,
      reRegister: put,
    });
    this.heartbeats.set(id, heartbeat);
    try {
      await heartbeat.start(options?.signal);
    } catch (error) {
      heartbeat.stop();
      if (this.heartbeats.get(id) === heartbeat) this.heartbeats.delete(id);
      await this.remove(id, name, undefined).catch(() => {}); // leave no critical instance behind
      throw error;
    }
  }

  /**
   * Stops the instance's heartbeat and removes it from the agent; an instance the agent does not
   * know counts as removed.
   * @throws InvalidArgumentError without an instance id; RegistryError when the agent fails or refuses.
   */
  async deregister(instance: ServiceInstance, options?: RegistryCallOptions): Promise<void> {
    const id = instance?.id;
    if (typeof id !== "string" || id === "") {
      throw new InvalidArgumentError(
        "consul: cannot deregister an instance without an id; pass the registered instance",
      );
    }
    this.heartbeats.get(id)?.stop();
    this.heartbeats.delete(id);
    await this.remove(id, instance.name, options?.signal);
  }

  /** Stops every heartbeat without deregistering (the instances turn critical after their TTL). */
  close(): void {
    this.closed = true;
    for (const heartbeat of this.heartbeats.values()) heartbeat.stop();
    this.heartbeats.clear();
  }

  private async remove(id: string, name: string, signal: AbortSignal | undefined): Promise<void> {
    try {
      await this.http.send({
        method: "PUT",
        path: `/v1/agent/service/deregister/${encodeURIComponent(id)}`,
        signal,
        timeoutMs: this.settings.requestTimeoutMs,
        what: `deregistering instance "${id}" of "${name}"`,
      });
    } catch (error) {
      if (error instanceof RegistryError && error.status === 404) return;
      throw error;
    }
  }
}
