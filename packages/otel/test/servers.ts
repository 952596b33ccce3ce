// Real servers on loopback for the tests: HTTP (node:http) and gRPC (grpc-js helloworld), each
// counting the calls it served, with a handler the test can replace.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import * as grpc from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";
import { createMemoryRegistry, type MemoryRegistry } from "@switchyard/registry-memory";

export interface Served {
  readonly port: number;
  readonly address: string;
  hits: number;
  close(): Promise<void>;
}

export interface HttpServed extends Served {
  handle(handler: (req: IncomingMessage, res: ServerResponse) => void): void;
}

/** `count` HTTP servers on 127.0.0.1:0 answering 200 with their port. */
export async function startHttpServers(count: number): Promise<HttpServed[]> {
  return Promise.all(
    Array.from({ length: count }, async () => {
      let handler = (_req: IncomingMessage, res: ServerResponse): void => {
        res.end("ok");
      };
      const state = { hits: 0 };
      const server: Server = createServer((req, res) => {
        state.hits++;
        handler(req, res);
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      const port = (server.address() as AddressInfo).port;
      return {
        port,
        address: `127.0.0.1:${port}`,
        get hits() {
          return state.hits;
        },
        handle(next: (req: IncomingMessage, res: ServerResponse) => void) {
          handler = next;
        },
        close: () =>
          new Promise<void>((resolve) => {
            server.closeAllConnections();
            server.close(() => resolve());
          }),
      };
    }),
  );
}

const definition = loadSync(fileURLToPath(new URL("./helloworld.proto", import.meta.url)), {
  keepCase: true,
});
const Greeter = (grpc.loadPackageDefinition(definition).helloworld as grpc.GrpcObject)
  .Greeter as grpc.ServiceClientConstructor;

/** `count` grpc-js helloworld servers on 127.0.0.1:0. */
export async function startGrpcServers(count: number): Promise<Served[]> {
  return Promise.all(
    Array.from({ length: count }, async () => {
      const state = { hits: 0 };
      const server = new grpc.Server();
      server.addService(Greeter.service, {
        sayHello: (
          call: grpc.ServerUnaryCall<{ name: string }, unknown>,
          callback: grpc.sendUnaryData<unknown>,
        ) => {
          state.hits++;
          callback(null, { message: `hello ${call.request.name}` });
        },
      });
      const port = await new Promise<number>((resolve, reject) =>
        server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, bound) =>
          error ? reject(error) : resolve(bound),
        ),
      );
      return {
        port,
        address: `127.0.0.1:${port}`,
        get hits() {
          return state.hits;
        },
        close: () =>
          new Promise<void>((resolve) => {
            server.forceShutdown();
            resolve();
          }),
      };
    }),
  );
}

/** A helloworld client of `target`; `sayHello` resolves with the reply or rejects with the error. */
export function greeter(target: string, options: grpc.ChannelOptions) {
  const client = new Greeter(target, grpc.credentials.createInsecure(), options);
  return {
    client,
    sayHello: (name: string) =>
      new Promise<unknown>((resolve, reject) =>
        client.sayHello!({ name }, { deadline: Date.now() + 5000 }, (error: Error | null, reply: unknown) =>
          error ? reject(error) : resolve(reply),
        ),
      ),
  };
}

/** A memory registry listing `servers` as instances of "helloworld" over `scheme`. */
export async function registryOf(
  servers: readonly Served[],
  scheme: "http" | "grpc",
): Promise<MemoryRegistry> {
  const registry = createMemoryRegistry();
  for (const [i, server] of servers.entries()) {
    await registry.register({
      id: `hello-${i}`,
      name: "helloworld",
      version: "1.0.0",
      metadata: {},
      endpoints: [`${scheme}://${server.address}`],
    });
  }
  return registry;
}
