// transport-http with discovery and the version filter: three helloworld servers (two at 2.0.0),
// registered in the embedded registry; a p2c client that only talks to 2.0.0, through its typed
// client and through fetch with its dispatcher.
import { createServer } from "node:http";
import { p2c } from "@switchyard/balancer-p2c";
import { version } from "@switchyard/filter-version";
import { createMemoryRegistry } from "@switchyard/registry-memory";
import { createClient } from "@switchyard/transport-http";
import { fetch } from "undici";

const versions = ["1.0.0", "2.0.0", "2.0.0"];
const servers = await Promise.all(
  versions.map(
    (v, i) =>
      new Promise((resolve) => {
        const server = createServer((req, res) => {
          res.setHeader("content-type", "application/json");
          res.end(JSON.stringify({ message: `hello from s${i}`, version: v, path: req.url }));
        });
        server.listen(0, "127.0.0.1", () => resolve(server));
      }),
  ),
);

const registry = createMemoryRegistry();
for (const [i, server] of servers.entries()) {
  await registry.register({
    id: `s${i}`,
    name: "helloworld",
    version: versions[i],
    metadata: {},
    endpoints: [`http://127.0.0.1:${server.address().port}`],
  });
}

const client = await createClient({
  endpoint: "discovery:///helloworld",
  discovery: registry,
  selector: p2c(),
  filters: [version("2.0.0")],
  block: { timeoutMs: 5000 },
});

const seen = new Set();
for (let i = 0; i < 20; i++) {
  const reply = await client.json("/hello");
  if (reply.version !== "2.0.0") throw new Error(`http-client: reached version ${reply.version}`);
  seen.add(reply.message);
}
const viaFetch = await fetch("http://helloworld/greet?name=ada", { dispatcher: client.dispatcher });
console.log("http-client: 20 calls reached only 2.0.0:", [...seen].sort().join(", "));
console.log("http-client: fetch through the dispatcher:", await viaFetch.json());

await client.close();
await registry.close();
for (const server of servers) server.close();
