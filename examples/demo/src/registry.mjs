// Where the demo registers its fleet: registry-memory by default; Consul with --registry consul,
// at CONSUL_HTTP_ADDR when set, else at a local double of the Consul HTTP API.
import { createConsulRegistry } from "@switchyard/registry-consul";
import { createMemoryRegistry } from "@switchyard/registry-memory";
import { startConsulDouble } from "@switchyard/testkit/consul";

export async function openRegistry(kind, log) {
  if (kind === "memory") {
    const registry = createMemoryRegistry();
    return {
      label: "registry-memory (embedded)",
      discovery: registry,
      register: (entry) => registry.register(entry),
      deregister: (entry) => registry.deregister(entry),
      close: () => registry.close(),
    };
  }
  if (kind !== "consul") throw new Error(`demo: unknown registry ${kind}; use memory or consul`);
  const address = process.env.CONSUL_HTTP_ADDR;
  const double = address ? undefined : await startConsulDouble();
  if (double)
    log(
      `demo: CONSUL_HTTP_ADDR is not set; using a local double of the Consul HTTP API at ${double.address}`,
    );
  const registry = createConsulRegistry({
    address: address ?? double.address,
    waitMs: 2000,
    logger: { warn() {} },
  });
  return {
    label: address ? `Consul at ${address}` : "Consul (local double)",
    discovery: registry,
    register: (entry) => registry.register(entry),
    deregister: (entry) => registry.deregister(entry),
    async close() {
      await registry.close();
      await double?.close();
    },
  };
}
