// The demo's fleet: helloworld instances on loopback, each with an HTTP and a gRPC server, two
// versions, uneven weights, one instance that turns slow and one that starts failing a share of its
// calls once the run's faults start (`setFaults`).
import { createServer } from "node:http";
import { fileURLToPath } from "node:url";
import grpc from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";
import { HEALTHY_MS } from "./scenario.mjs";

export const PROTO = fileURLToPath(new URL("../proto/helloworld.proto", import.meta.url));
export const helloworld = grpc.loadPackageDefinition(loadSync(PROTO)).helloworld;

/**
 * The instances; `late` joins mid-run, `leaves` is removed mid-run; `delayMs` and `failRate` are
 * what an instance does once the faults start (before, every instance answers in `HEALTHY_MS`, ±25%).
 * The flaky instance's `twin` is the healthy one that matches it in version, weight and speed:
 * what it would get if it were well.
 */
export const INSTANCES = [
  { id: "i1", version: "1.0.0", weight: 100, delayMs: 2, failRate: 0 },
  { id: "i2", version: "1.0.0", weight: 100, delayMs: 2, failRate: 0, leaves: true },
  { id: "i3", version: "1.0.0", weight: 200, delayMs: 2, failRate: 0 },
  { id: "i4", version: "2.0.0", weight: 100, delayMs: 2, failRate: 0 },
  { id: "i5", version: "2.0.0", weight: 100, delayMs: 40, failRate: 0 },
  { id: "i6", version: "2.0.0", weight: 100, delayMs: 2, failRate: 0.25, twin: "i4" },
  { id: "i7", version: "2.0.0", weight: 100, delayMs: 2, failRate: 0, late: true },
];

/** The error text an instance's injected failures carry, so the demo can tell them from real breakage. */
export const INJECTED = "injected failure";

function jitter(ms) {
  return ms * (0.75 + Math.random() * 0.5);
}

const delayOf = (instance, state) => jitter(state.faulty ? instance.delayMs : HEALTHY_MS);
const failsNow = (instance, state) => state.faulty && Math.random() < instance.failRate;

async function startHttp(instance, state) {
  const server = createServer((_req, res) => {
    setTimeout(
      () => {
        res.setHeader("x-instance", instance.id);
        if (failsNow(instance, state)) {
          res.statusCode = 503;
          res.end(INJECTED);
          return;
        }
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify({ message: "hello", server: instance.id }));
      },
      delayOf(instance, state),
    );
  });
  server.keepAliveTimeout = 30_000;
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server;
}

async function startGrpc(instance, state) {
  const server = new grpc.Server();
  server.addService(helloworld.Greeter.service, {
    SayHello(call, callback) {
      setTimeout(
        () => {
          if (failsNow(instance, state)) {
            const metadata = new grpc.Metadata();
            metadata.set("x-instance", instance.id);
            callback({ code: grpc.status.UNAVAILABLE, details: INJECTED, metadata });
            return;
          }
          callback(null, { message: `hello ${call.request.name}`, server: instance.id });
        },
        delayOf(instance, state),
      );
    },
    SayHellos(call) {
      call.write({ message: "hello", server: instance.id });
      call.end();
    },
  });
  const port = await new Promise((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, p) =>
      error ? reject(error) : resolve(p),
    ),
  );
  return { server, port };
}

/**
 * Starts every instance's servers; returns them with their registry entries and `setFaults(on)`,
 * which makes a slow or failing instance start (or stop) being so.
 */
export async function startFleet() {
  return Promise.all(
    INSTANCES.map(async (instance) => {
      const state = { faulty: false };
      const http = await startHttp(instance, state);
      const grpcServer = await startGrpc(instance, state);
      const httpAddress = `127.0.0.1:${http.address().port}`;
      const grpcAddress = `127.0.0.1:${grpcServer.port}`;
      return {
        ...instance,
        httpAddress,
        grpcAddress,
        setFaults(on) {
          state.faulty = on;
        },
        entry: {
          id: instance.id,
          name: "helloworld",
          version: instance.version,
          metadata: { weight: String(instance.weight) },
          endpoints: [`http://${httpAddress}`, `grpc://${grpcAddress}`],
        },
        async close() {
          http.closeAllConnections();
          await new Promise((resolve) => http.close(resolve));
          grpcServer.server.forceShutdown();
        },
      };
    }),
  );
}
