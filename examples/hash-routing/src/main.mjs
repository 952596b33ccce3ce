// Consistent hashing with bounded loads over both transports. Four HTTP servers of a "carts"
// service in the embedded registry, and a client whose selector is
// hash({ key: keyFromHeader("x-user-id") }):
//   1. every request of a user goes to the same server;
//   2. a server leaves: only its users move, the others stay where they were;
//   3. a hot user with 30 requests at once spreads over the servers (bounded loads), none holding
//      more than ⌈1.25 × the average⌉ of them;
//   4. over gRPC, hash({ key: keyFromMetadata("x-user-id") }) does the same with call metadata.
// It checks what it prints and exits 1 when routing is not what it says.
import { createServer } from "node:http";
import { fileURLToPath } from "node:url";
import grpc from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";
import { hash } from "@switchyard/balancer-hash";
import { createMemoryRegistry } from "@switchyard/registry-memory";
import { createChannelOptions, keyFromMetadata } from "@switchyard/transport-grpc";
import { createClient, keyFromHeader } from "@switchyard/transport-http";

function check(ok, message) {
  if (ok) return;
  console.error(`hash-routing: ${message}`);
  process.exitCode = 1;
}

const users = Array.from({ length: 40 }, (_, i) => `user-${i}`);
const registry = createMemoryRegistry();

// ---- HTTP ----------------------------------------------------------------------------------------

let delayMs = 0;
const servers = await Promise.all(
  Array.from(
    { length: 4 },
    (_, i) =>
      new Promise((resolve) => {
        const server = createServer((_req, res) => setTimeout(() => res.end(`s${i}`), delayMs));
        server.listen(0, "127.0.0.1", () => resolve(server));
      }),
  ),
);
const instance = (i) => ({
  id: `s${i}`,
  name: "carts",
  version: "1.0.0",
  metadata: {},
  endpoints: [`http://127.0.0.1:${servers[i].address().port}`],
});
for (let i = 0; i < servers.length; i++) await registry.register(instance(i));

const client = await createClient({
  endpoint: "discovery:///carts",
  discovery: registry,
  selector: hash({ key: keyFromHeader("x-user-id") }),
  // Every client sees every instance, so all clients agree on a user's server.
  subsetSize: 0,
  block: { timeoutMs: 5000 },
});
const ask = async (user) => {
  const reply = await client.request("/cart", { headers: { "x-user-id": user } });
  return reply.body.text();
};

// 1. Sticky: five requests per user, each user on one server.
const home = new Map();
for (const user of users) {
  const seen = new Set();
  for (let i = 0; i < 5; i++) seen.add(await ask(user));
  check(seen.size === 1, `${user} reached ${[...seen].join(", ")}; expected one server`);
  home.set(user, [...seen][0]);
}
const perServer = (map) => {
  const out = {};
  for (const server of map.values()) out[server] = (out[server] ?? 0) + 1;
  return out;
};
console.log("hash-routing: 40 users × 5 requests, users per server:", perServer(home));

// 2. s1 leaves: its users move, nobody else does.
await registry.deregister({ name: "carts", id: "s1" });
const gone = users.find((user) => home.get(user) === "s1");
for (let i = 0; i < 100 && gone !== undefined && (await ask(gone)) === "s1"; i++) {
  await new Promise((resolve) => setTimeout(resolve, 20)); // the watch delivers the change
}
const after = new Map();
for (const user of users) after.set(user, await ask(user));
const moved = users.filter((user) => after.get(user) !== home.get(user));
check(
  moved.every((user) => home.get(user) === "s1"),
  `users of other servers moved: ${moved.filter((u) => home.get(u) !== "s1").join(", ")}`,
);
check(![...after.values()].includes("s1"), "a request still reached s1 after it left");
console.log(`hash-routing: s1 left; ${moved.length} users moved, all of them s1's:`, perServer(after));

// 3. A hot user: 30 requests at once, each held 50 ms by the server.
delayMs = 50;
const burst = await Promise.all(Array.from({ length: 30 }, () => ask("user-0")));
delayMs = 0;
const spread = perServer(new Map(burst.map((server, i) => [i, server])));
const cap = Math.ceil(1.25 * (30 / 3));
check(Object.keys(spread).length > 1, "the hot user's burst stayed on one server");
check(
  Object.values(spread).every((n) => n <= cap),
  `a server held more than ⌈1.25 × average⌉ = ${cap} of the burst: ${JSON.stringify(spread)}`,
);
console.log(`hash-routing: 30 requests of user-0 at once (at most ${cap} per server):`, spread);
await client.close();
for (const server of servers) server.close();

// ---- gRPC ----------------------------------------------------------------------------------------

const proto = fileURLToPath(new URL("./helloworld.proto", import.meta.url));
const { helloworld } = grpc.loadPackageDefinition(loadSync(proto));
const grpcServers = [];
for (let i = 0; i < 3; i++) {
  const server = new grpc.Server();
  server.addService(helloworld.Greeter.service, {
    SayHello: (call, callback) => callback(null, { message: `hello ${call.request.name}`, server: `g${i}` }),
    SayHellos: (call) => call.end(),
  });
  const port = await new Promise((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (e, p) =>
      e ? reject(e) : resolve(p),
    ),
  );
  grpcServers.push(server);
  await registry.register({
    id: `g${i}`,
    name: "greeter",
    version: "1.0.0",
    metadata: {},
    endpoints: [`grpc://127.0.0.1:${port}`],
  });
}
const { target, options } = createChannelOptions({
  target: "discovery:///greeter",
  discovery: registry,
  selector: hash({ key: keyFromMetadata("x-user-id") }),
  subsetSize: 0,
});
const greeter = new helloworld.Greeter(target, grpc.credentials.createInsecure(), options);
// Wait until every subchannel is READY: until then, READY ones are the only candidates.
for (let i = 0; i < 100; i++) {
  await new Promise((resolve, reject) =>
    greeter.waitForReady(Date.now() + 5000, (e) => (e ? reject(e) : resolve())),
  );
  const seen = new Set();
  for (const user of users) seen.add(await hello(user));
  if (seen.size === 3) break;
  await new Promise((resolve) => setTimeout(resolve, 20));
}
function hello(user) {
  const metadata = new grpc.Metadata();
  metadata.set("x-user-id", user);
  return new Promise((resolve, reject) =>
    greeter.SayHello({ name: user }, metadata, (e, reply) => (e ? reject(e) : resolve(reply.server))),
  );
}
const grpcHome = new Map();
for (const user of users) {
  const seen = new Set();
  for (let i = 0; i < 3; i++) seen.add(await hello(user));
  check(seen.size === 1, `over gRPC ${user} reached ${[...seen].join(", ")}; expected one server`);
  grpcHome.set(user, [...seen][0]);
}
console.log("hash-routing: over gRPC, 40 users × 3 calls, users per server:", perServer(grpcHome));
greeter.close();
for (const server of grpcServers) server.forceShutdown();
await registry.close();
