// Registering and discovering through Consul: two HTTP servers register themselves with a TTL
// heartbeat, a client discovers them with a blocking-query watch, and a deregistration moves the
// traffic. Uses the agent at CONSUL_HTTP_ADDR when set, else a local double of Consul's HTTP API.
import { createServer } from "node:http";
import { createConsulRegistry } from "@switchyard/registry-consul";
import { startConsulDouble } from "@switchyard/testkit/consul";
import { createClient } from "@switchyard/transport-http";

const double = process.env.CONSUL_HTTP_ADDR ? undefined : await startConsulDouble();
const address = process.env.CONSUL_HTTP_ADDR ?? double.address;
console.log(
  `consul: using ${double ? `a local double of the Consul HTTP API at ${address}` : `the agent at ${address}`}`,
);

const servers = await Promise.all(
  [0, 1].map(
    (i) =>
      new Promise((resolve) => {
        const server = createServer((_req, res) => res.end(`hello from s${i}`));
        server.listen(0, "127.0.0.1", () => resolve(server));
      }),
  ),
);
const registry = createConsulRegistry({ address, waitMs: 2000 });
const instances = servers.map((server, i) => ({
  id: `example-hello-${i}`,
  name: "example-helloworld",
  version: "1.0.0",
  metadata: { zone: "local" },
  endpoints: [`http://127.0.0.1:${server.address().port}`],
}));
for (const instance of instances) await registry.register(instance); // resolves once passing

const client = await createClient({
  endpoint: "discovery:///example-helloworld",
  discovery: registry,
  block: { timeoutMs: 10_000 },
});
const before = new Set();
for (let i = 0; i < 10; i++) before.add(await (await client.request("/")).body.text());
console.log("consul: discovered and called:", [...before].sort().join(", "));

await registry.deregister(instances[1]);
let after = "";
for (let attempt = 0; attempt < 100 && after !== "hello from s0"; attempt++) {
  after = await (await client.request("/")).body.text();
  if (after !== "hello from s0") await new Promise((resolve) => setTimeout(resolve, 50));
}
console.log(`consul: after deregistering s1, calls go to: ${after}`);

await client.close();
await registry.deregister(instances[0]);
await registry.close();
await double?.close();
for (const server of servers) server.close();
if (before.size !== 2 || after !== "hello from s0") process.exit(1);
