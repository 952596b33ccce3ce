import type { Logger } from "@switchyard/api";
import { describeRegistryConformance } from "@switchyard/testkit";
import { startConsulDouble } from "@switchyard/testkit/consul";
import { createConsulRegistry } from "../src/index.js";

// The suite waits on watchers in wall-clock time (bounded), so the double and the registry run
// on the process clock here, with Consul's defaults: blocking waits, rate limit, TTL heartbeat.
const quiet: Logger = { warn: () => {} };

describeRegistryConformance({
  name: "registry-consul on the Consul double",
  async create() {
    const double = await startConsulDouble();
    const registry = createConsulRegistry({ address: double.address, env: {}, logger: quiet });
    return {
      registrar: registry,
      discovery: registry,
      async close() {
        await registry.close();
        await double.close();
      },
    };
  },
});
