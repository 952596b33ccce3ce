// transport-grpc with discovery: three grpc-js helloworld servers registered in the embedded
// registry with weights 1, 2 and 3; a grpc-js client dials discovery:///helloworld and smooth
// weighted round robin spreads 60 calls about 10 / 20 / 30 (exactly, once all three subchannels are
// READY; waitForReady returns as soon as the first one is).
import { fileURLToPath } from "node:url";
import grpc from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";
import { wrr } from "@switchyard/balancer-wrr";
import { createMemoryRegistry } from "@switchyard/registry-memory";
import { createChannelOptions } from "@switchyard/transport-grpc";

const proto = fileURLToPath(new URL("./helloworld.proto", import.meta.url));
const { helloworld } = grpc.loadPackageDefinition(loadSync(proto));

const servers = [];
const registry = createMemoryRegistry();
for (let i = 0; i < 3; i++) {
  const server = new grpc.Server();
  server.addService(helloworld.Greeter.service, {
    SayHello: (call, callback) => callback(null, { message: `hello ${call.request.name}`, server: `s${i}` }),
    SayHellos: (call) => call.end(),
  });
  const port = await new Promise((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (e, p) =>
      e ? reject(e) : resolve(p),
    ),
  );
  servers.push(server);
  await registry.register({
    id: `s${i}`,
    name: "helloworld",
    version: "1.0.0",
    metadata: { weight: String(i + 1) },
    endpoints: [`grpc://127.0.0.1:${port}`],
  });
}

// One obvious way: the target and channel options for a discovery target.
const { target, options } = createChannelOptions({
  target: "discovery:///helloworld",
  discovery: registry,
  selector: wrr(),
});
const client = new helloworld.Greeter(target, grpc.credentials.createInsecure(), options);
await new Promise((resolve, reject) =>
  client.waitForReady(Date.now() + 5000, (e) => (e ? reject(e) : resolve())),
);

const counts = {};
for (let i = 0; i < 60; i++) {
  const reply = await new Promise((resolve, reject) =>
    client.SayHello({ name: "ada" }, (e, r) => (e ? reject(e) : resolve(r))),
  );
  counts[reply.server] = (counts[reply.server] ?? 0) + 1;
}
console.log("grpc-client: 60 calls, weights 1/2/3:", counts);
client.close();
await registry.close();
for (const server of servers) server.forceShutdown();
if (!(counts.s0 < counts.s1 && counts.s1 < counts.s2)) {
  console.error("grpc-client: expected shares in the order of the weights");
  process.exit(1);
}
