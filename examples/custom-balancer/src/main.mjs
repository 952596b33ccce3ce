// Uses the third-party balancer from a Switchyard HTTP client, exactly like a built-in one.
import { createServer } from "node:http";
import { leastInflight } from "@acme/balancer-least-inflight";
import { createMemoryRegistry } from "@switchyard/registry-memory";
import { createClient } from "@switchyard/transport-http";

const servers = await Promise.all(
  [0, 1, 2].map(
    (i) =>
      new Promise((resolve) => {
        const server = createServer((_req, res) => setTimeout(() => res.end(`s${i}`), i === 0 ? 30 : 2));
        server.listen(0, "127.0.0.1", () => resolve(server));
      }),
  ),
);
const registry = createMemoryRegistry();
for (const [i, server] of servers.entries()) {
  await registry.register({
    id: `s${i}`,
    name: "helloworld",
    version: "1.0.0",
    metadata: {},
    endpoints: [`http://127.0.0.1:${server.address().port}`],
  });
}
const client = await createClient({
  endpoint: "discovery:///helloworld",
  discovery: registry,
  selector: leastInflight(),
  block: true,
});
const counts = {};
await Promise.all(
  Array.from({ length: 8 }, async () => {
    for (let i = 0; i < 25; i++) {
      const reply = await client.request("/");
      const text = await reply.body.text();
      counts[text] = (counts[text] ?? 0) + 1;
    }
  }),
);
console.log("least-inflight over 200 requests (s0 answers in 30 ms, s1 and s2 in 2 ms):", counts);
await client.close();
await registry.close();
for (const server of servers) server.close();
if (!(counts.s0 < counts.s1 && counts.s0 < counts.s2)) {
  console.error("custom-balancer: the slow server should get the fewest requests");
  process.exit(1);
}
