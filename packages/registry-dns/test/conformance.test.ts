// The DNS discovery under testkit's registry contract. DNS has no registration, so the suite's
// registrar is a double that writes each service's SRV records into dnsmasq (restarting it, as
// dnsmasq re-reads no SRV record on SIGHUP); the discovery re-resolves every 20 ms on the real clock.
import type { Registrar, RegistryCallOptions, ServiceInstance } from "@switchyard/api";
import { describeRegistryConformance } from "@switchyard/testkit";
import { createDnsDiscovery } from "../src/index.js";
import { type DnsRecords, startDnsmasq } from "./dnsmasq.js";
import { recordingLogger } from "./helpers.js";

const srvName = (service: string) => `_http._tcp.${service}.test`;

/** The n-th instance as DNS gives it back: an address and port, the SRV weight and target. */
function sample(service: string, n: number): ServiceInstance {
  return {
    id: `127.0.0.${n}:${18000 + n}`,
    name: service,
    version: "",
    metadata: { weight: String(10 * n), priority: "0", target: `i${n}.${service}.test` },
    endpoints: [`http://127.0.0.${n}:${18000 + n}`],
  };
}

/** Publishes instances as SRV records (and the A records of their targets) in dnsmasq. */
class DnsRecordsRegistrar implements Registrar {
  private readonly services = new Map<string, Map<string, ServiceInstance>>();
  private readonly apply: (records: DnsRecords) => Promise<void>;

  constructor(apply: (records: DnsRecords) => Promise<void>) {
    this.apply = apply;
  }

  async register(instance: ServiceInstance, options?: RegistryCallOptions): Promise<void> {
    options?.signal?.throwIfAborted();
    const instances = this.services.get(instance.name) ?? new Map<string, ServiceInstance>();
    this.services.set(instance.name, instances.set(instance.id, instance));
    await this.publish();
  }

  async deregister(instance: ServiceInstance, options?: RegistryCallOptions): Promise<void> {
    options?.signal?.throwIfAborted();
    this.services.get(instance.name)?.delete(instance.id);
    await this.publish();
  }

  private publish(): Promise<void> {
    const all = [...this.services.values()].flatMap((instances) => [...instances.values()]);
    const endpoint = (instance: ServiceInstance) => new URL(instance.endpoints[0]!);
    return this.apply({
      srv: all.map((instance) => ({
        name: srvName(instance.name),
        target: instance.metadata.target!,
        port: Number(endpoint(instance).port),
        weight: Number(instance.metadata.weight),
      })),
      hosts: Object.fromEntries(
        all.map((instance) => [instance.metadata.target!, [endpoint(instance).hostname]]),
      ),
    });
  }
}

describeRegistryConformance({
  name: "DNS discovery over dnsmasq",
  sample,
  async create() {
    const dns = await startDnsmasq();
    const discovery = createDnsDiscovery({
      servers: [dns.server],
      services: (service) => srvName(service),
      family: 4,
      minIntervalMs: 20,
      timeoutMs: 500,
      backoff: { initialMs: 20, maxMs: 200 },
      logger: recordingLogger(),
    });
    return {
      registrar: new DnsRecordsRegistrar((records) => dns.setRecords(records)),
      discovery,
      async close() {
        await discovery.close();
        await dns.stop();
      },
    };
  },
});
