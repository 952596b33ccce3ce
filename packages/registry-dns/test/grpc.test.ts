// transport-grpc on discovery:///helloworld through the DNS discovery, against dnsmasq: SRV records
// of _grpc._tcp.greeter.test, one per server, whose weights reach the balancer.
import { fileURLToPath } from "node:url";
import * as grpc from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";
import { createChannelOptions } from "@switchyard/transport-grpc";
import { afterEach, describe, it } from "vitest";
import { createDnsDiscovery } from "../src/index.js";
import { type SrvRecord, startDnsmasq } from "./dnsmasq.js";
import { recordingLogger } from "./helpers.js";

const WAIT_MS = 10_000;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The reply names the server that sent it. */
interface HelloReply {
  message: string;
}
interface GreeterClient extends grpc.Client {
  sayHello(
    request: { name: string },
    options: grpc.CallOptions,
    callback: (error: grpc.ServiceError | null, reply?: HelloReply) => void,
  ): grpc.ClientUnaryCall;
}

// The helloworld service the benchmarks and the README doc-test use.
const definition = loadSync(fileURLToPath(new URL("../../../bench/grpc/helloworld.proto", import.meta.url)));
const Greeter = (grpc.loadPackageDefinition(definition).helloworld as grpc.GrpcObject)
  .Greeter as grpc.ServiceClientConstructor;

/** A helloworld server on 127.0.0.1 that answers with its name; resolves to its port. */
async function startServer(name: string): Promise<number> {
  const server = new grpc.Server();
  server.addService(Greeter.service, {
    sayHello: (_: unknown, callback: grpc.sendUnaryData<HelloReply>) => callback(null, { message: name }),
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  cleanups.push(() => server.forceShutdown());
  return port;
}

function sayHello(client: GreeterClient): Promise<string> {
  return new Promise((resolve, reject) =>
    client.sayHello({ name: "ada" }, { deadline: Date.now() + 5000 }, (error, reply) =>
      error ? reject(error) : resolve(reply!.message),
    ),
  );
}

/** Calls until one batch of `count` calls is served by exactly `expected` (by count), within WAIT_MS. */
async function eventuallyTally(
  client: GreeterClient,
  count: number,
  expected: Record<string, number>,
): Promise<void> {
  const deadline = performance.now() + WAIT_MS;
  let last: Record<string, number> = {};
  while (performance.now() < deadline) {
    last = {};
    for (let i = 0; i < count; i++) {
      const server = await sayHello(client);
      last[server] = (last[server] ?? 0) + 1;
    }
    if (JSON.stringify(Object.entries(last).sort()) === JSON.stringify(Object.entries(expected).sort()))
      return;
  }
  throw new Error(
    `calls were not served as ${JSON.stringify(expected)} within ${WAIT_MS} ms; last: ${JSON.stringify(last)}`,
  );
}

describe("transport-grpc over DNS discovery", { timeout: 40_000 }, () => {
  it("routes calls to the SRV targets by their weights and follows a target added and one removed", async () => {
    const ports = [await startServer("s0"), await startServer("s1"), await startServer("s2")];
    const srv = (weights: (number | undefined)[]): SrvRecord[] =>
      weights.flatMap((weight, i) =>
        weight === undefined
          ? []
          : [{ name: "_grpc._tcp.greeter.test", target: `g${i}.greeter.test`, port: ports[i]!, weight }],
      );
    const hosts = Object.fromEntries(ports.map((_, i) => [`g${i}.greeter.test`, ["127.0.0.1"]]));
    const dns = await startDnsmasq({ srv: srv([1, 3]), hosts });
    cleanups.push(() => dns.stop());
    const discovery = createDnsDiscovery({
      servers: [dns.server],
      services: { helloworld: "_grpc._tcp.greeter.test" },
      family: 4,
      minIntervalMs: 50,
      logger: recordingLogger(),
    });
    cleanups.push(() => discovery.close());
    const { target, options } = createChannelOptions({
      target: "discovery:///helloworld",
      discovery,
      logger: recordingLogger(),
    });
    const client = new Greeter(
      target,
      grpc.credentials.createInsecure(),
      options,
    ) as unknown as GreeterClient;
    cleanups.push(() => client.close());

    // wrr, the default balancer, sends exactly 1:3 once both subchannels are ready.
    await eventuallyTally(client, 40, { s0: 10, s1: 30 });
    await dns.setRecords({ srv: srv([1, 3, 4]), hosts });
    await eventuallyTally(client, 40, { s0: 5, s1: 15, s2: 20 });
    await dns.setRecords({ srv: srv([undefined, 3, 4]), hosts });
    await eventuallyTally(client, 35, { s1: 15, s2: 20 });
  });
});
