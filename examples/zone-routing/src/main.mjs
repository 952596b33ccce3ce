// Zone-aware routing and a version preference, both falling back instead of failing calls. Seven
// HTTP servers of a "helloworld" service in the embedded registry: zone a holds a0 (2.0.0), a1 and
// a2 (1.0.0); zones b and c one 2.0.0 and one 1.0.0 server each. A client in zone a (here
// { zone: "a" }; in a deployment, SWITCHYARD_ZONE) with the filters
// [preferZone(), prefer(version("2.0.0"))] and smooth weighted round robin:
//   1. calls stay in zone a and go to its 2.0.0 server;
//   2. a0 leaves: calls stay in zone a and fall back to its 1.0.0 servers (a strict version
//      filter would send them to another zone, or fail them);
//   3. a0 is back but a1 and a2 leave: zone a has one server, fewer than preferZone's minimum of
//      two, so calls spill to every zone, and prefer 2.0.0 there.
// It checks what it prints and exits 1 when routing is not what it says.
import { createServer } from "node:http";
import { wrr } from "@switchyard/balancer-wrr";
import { version } from "@switchyard/filter-version";
import { createMemoryRegistry } from "@switchyard/registry-memory";
import { prefer, preferZone } from "@switchyard/selector-core";
import { createClient } from "@switchyard/transport-http";

function check(ok, message) {
  if (ok) return;
  console.error(`zone-routing: ${message}`);
  process.exitCode = 1;
}

const fleet = [
  { id: "a0", zone: "a", version: "2.0.0" },
  { id: "a1", zone: "a", version: "1.0.0" },
  { id: "a2", zone: "a", version: "1.0.0" },
  { id: "b0", zone: "b", version: "2.0.0" },
  { id: "b1", zone: "b", version: "1.0.0" },
  { id: "c0", zone: "c", version: "2.0.0" },
  { id: "c1", zone: "c", version: "1.0.0" },
];
const registry = createMemoryRegistry();
const servers = new Map();
const register = (member) =>
  registry.register({
    id: member.id,
    name: "helloworld",
    version: member.version,
    metadata: { zone: member.zone },
    endpoints: [`http://127.0.0.1:${servers.get(member.id).address().port}`],
  });
for (const member of fleet) {
  const server = createServer((_req, res) => res.end(member.id));
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  servers.set(member.id, server);
  await register(member);
}

const client = await createClient({
  endpoint: "discovery:///helloworld",
  discovery: registry,
  selector: wrr(),
  filters: [preferZone({ zone: "a" }), prefer(version("2.0.0"))],
  block: { timeoutMs: 5000 },
});
async function served(calls) {
  const out = {};
  for (let i = 0; i < calls; i++) {
    const reply = await client.request("/hello");
    const who = await reply.body.text();
    out[who] = (out[who] ?? 0) + 1;
  }
  return out;
}
/** Waits until the client has seen the registry's change (its watch delivers it asynchronously). */
async function settled(done) {
  for (let i = 0; i < 100 && !done(await served(6)); i++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
const only = (seen, ids) => Object.keys(seen).sort().join() === ids.join();

const first = await served(20);
check(only(first, ["a0"]), `expected a0 (zone a, 2.0.0) only, got ${JSON.stringify(first)}`);
console.log("zone-routing: in zone a, 2.0.0 preferred:", first);

await registry.deregister({ name: "helloworld", id: "a0" });
await settled((seen) => !("a0" in seen));
const second = await served(20);
check(only(second, ["a1", "a2"]), `expected a1 and a2 (zone a, 1.0.0) only, got ${JSON.stringify(second)}`);
console.log("zone-routing: zone a without 2.0.0 keeps its calls, on 1.0.0:", second);

await register(fleet[0]);
await registry.deregister({ name: "helloworld", id: "a1" });
await registry.deregister({ name: "helloworld", id: "a2" });
await settled((seen) => !("a1" in seen || "a2" in seen) && Object.keys(seen).some((who) => who[0] !== "a"));
const third = await served(30);
check(
  only(third, ["a0", "b0", "c0"]),
  `expected a0, b0 and c0 (2.0.0 in every zone), got ${JSON.stringify(third)}`,
);
console.log("zone-routing: zone a down to one server spills to every zone, 2.0.0 preferred:", third);

await client.close();
await registry.close();
for (const server of servers.values()) server.close();
