// End to end: transport-http and transport-grpc dial `discovery:///api` through this registry,
// against the Kubernetes double, and follow the cluster's view of ready endpoints.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import * as grpc from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";
import { type KubernetesDouble, startKubernetesDouble } from "@switchyard/testkit/kubernetes";
import { createChannelOptions } from "@switchyard/transport-grpc";
import { createClient } from "@switchyard/transport-http";
import { afterEach, expect, it, vi } from "vitest";
import { createKubernetesDiscovery, type KubernetesDiscovery } from "../src/index.js";
import { quiet } from "./helpers.js";

let cleanup: Array<() => Promise<void> | void> = [];

afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

interface Backend {
  readonly name: string;
  readonly httpPort: number;
  readonly grpcPort: number;
}

// The helloworld service of transport-grpc's tests (a unary SayHello whose reply names the server).
const definition = loadSync(
  fileURLToPath(new URL("../../transport-grpc/test/fixtures/helloworld.proto", import.meta.url)),
  {
    keepCase: true,
  },
);
const Greeter = (grpc.loadPackageDefinition(definition).helloworld as grpc.GrpcObject)
  .Greeter as grpc.ServiceClientConstructor;

/** One pod's servers: HTTP answering its name, gRPC helloworld answering with its name. */
async function startBackend(name: string): Promise<Backend> {
  const http: Server = createServer((_req, res) => res.end(name));
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const server = new grpc.Server();
  server.addService(Greeter.service, {
    sayHello: (_call: unknown, callback: grpc.sendUnaryData<{ message: string; server: string }>) =>
      callback(null, { message: "hello", server: name }),
  });
  const grpcPort = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, port) =>
      error ? reject(error) : resolve(port),
    ),
  );
  cleanup.push(
    () => new Promise<void>((resolve) => http.close(() => resolve())),
    () => {
      http.closeAllConnections();
      server.forceShutdown();
    },
  );
  return { name, httpPort: (http.address() as AddressInfo).port, grpcPort };
}

/** The EndpointSlice the controller would write for one pod of Service `api`. */
function sliceFor(backend: Backend, ready = true) {
  return {
    kind: "EndpointSlice",
    metadata: { name: `api-${backend.name}`, labels: { "kubernetes.io/service-name": "api" } },
    addressType: "IPv4",
    ports: [
      { name: "http", port: backend.httpPort, protocol: "TCP" },
      { name: "grpc", port: backend.grpcPort, protocol: "TCP", appProtocol: "kubernetes.io/h2c" },
    ],
    endpoints: [
      {
        addresses: ["127.0.0.1"],
        conditions: { ready, serving: ready, terminating: !ready },
        targetRef: { kind: "Pod", name: backend.name },
      },
    ],
  };
}

async function cluster(): Promise<{
  double: KubernetesDouble;
  discovery: KubernetesDiscovery;
  backends: Backend[];
}> {
  const double = await startKubernetesDouble();
  const discovery = createKubernetesDiscovery({ server: double.url, env: {}, logger: quiet });
  cleanup.push(
    () => double.close(),
    () => discovery.close(),
  );
  const backends = [await startBackend("pod-0"), await startBackend("pod-1")];
  for (const backend of backends) double.apply(sliceFor(backend));
  return { double, discovery, backends };
}

it("routes transport-http calls to discovery:///api over the Service's ready endpoints", async () => {
  const { double, discovery, backends } = await cluster();
  const client = await createClient({
    endpoint: "discovery:///api",
    discovery,
    block: { timeoutMs: 5000 },
    logger: quiet,
  });
  cleanup.push(() => client.destroy());
  const served: string[] = [];
  for (let i = 0; i < 10; i++) served.push(await (await client.request("/")).body.text());
  expect(served.filter((s) => s === "pod-0")).toHaveLength(5);
  expect(served.filter((s) => s === "pod-1")).toHaveLength(5);
  double.apply(sliceFor(backends[1]!, false)); // pod-1 terminates: no new calls while pod-0 is ready
  await vi.waitFor(async () => expect(await (await client.request("/")).body.text()).toBe("pod-0"), {
    timeout: 5000,
  });
  for (let i = 0; i < 5; i++) expect(await (await client.request("/")).body.text()).toBe("pod-0");
});

it("routes transport-grpc calls to discovery:///api and follows a removed EndpointSlice", async () => {
  const { double, discovery } = await cluster();
  const { target, options } = createChannelOptions({ target: "discovery:///api", discovery, logger: quiet });
  const client = new Greeter(target, grpc.credentials.createInsecure(), options) as unknown as grpc.Client & {
    sayHello(
      request: { name: string },
      options: grpc.CallOptions,
      callback: (e: grpc.ServiceError | null, r?: { server: string }) => void,
    ): void;
  };
  cleanup.push(() => client.close());
  const call = () =>
    new Promise<string>((resolve, reject) =>
      client.sayHello({ name: "ada" }, { deadline: Date.now() + 5000 }, (error, reply) =>
        error ? reject(error) : resolve(reply!.server),
      ),
    );
  await vi.waitFor(
    async () => {
      const served = new Set<string>();
      for (let i = 0; i < 6; i++) served.add(await call());
      expect([...served].sort()).toEqual(["pod-0", "pod-1"]);
    },
    { timeout: 5000 },
  );
  double.remove("EndpointSlice", "api-pod-0");
  await vi.waitFor(async () => expect(await call()).toBe("pod-1"), { timeout: 5000 });
  for (let i = 0; i < 5; i++) expect(await call()).toBe("pod-1");
});
