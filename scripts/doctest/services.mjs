// What README snippets need running beside them, started by the doc-test on request
// (`<!-- doctest: needs=… -->`, see scripts/check-readmes.mjs) and stopped after the last snippet:
//
//   etcd              a real etcd serving clients on 127.0.0.1:2379, the default endpoint
//   consul            the Consul double of @switchyard/testkit/consul; CONSUL_HTTP_ADDR points at it
//   dns               dnsmasq on 127.0.0.1:1053 (UDP and TCP), serving a Kubernetes headless Service
//                     greeter in namespace default: SRV _http._tcp.greeter.default.svc.cluster.local
//                     (port 8000) and _grpc._tcp.… (port 50051), both to greeter-0.greeter.default.
//                     svc.cluster.local, which is 127.0.0.1, as greeter.default.svc.cluster.local is
//   kubernetes        the Kubernetes double of @switchyard/testkit/kubernetes (TLS, a token), with
//                     Service "api" in namespace "default": one ready endpoint, 127.0.0.1, ports
//                     http 8000 and grpc 50051; KUBECONFIG points at a kubeconfig for it
//   http@host:port    a helloworld HTTP server: any path answers {"message":"Hello <name>"}
//   grpc@host:port    a helloworld.Greeter gRPC server (bench/grpc/helloworld.proto, which the snippet
//                     finds in its folder)
//
// Fixed addresses are the ones a user would run locally (etcd's default port, the ports the
// snippet names), so snippets read as written; a port already taken fails the step, saying so.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer as createHttpServer } from "node:http";
import { createRequire } from "node:module";
import { createServer as createNetServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

/** Parses one `needs=` item: `etcd`, `consul`, `dns`, `kubernetes`, `http@127.0.0.1:8000`, `grpc@127.0.0.1:50051`. */
export function parseNeed(item) {
  if (item === "etcd" || item === "consul" || item === "dns" || item === "kubernetes")
    return { kind: item, key: item };
  const match = /^(http|grpc)@(127\.0\.0\.1|localhost):(\d{1,5})$/.exec(item);
  if (match === null) return undefined;
  return { kind: match[1], host: match[2], port: Number(match[3]), key: item };
}

async function portIsFree(host, port) {
  const probe = createNetServer();
  try {
    probe.listen(port, host);
    await once(probe, "listening");
    return true;
  } catch {
    return false;
  } finally {
    probe.close();
  }
}

async function listenOn(server, { host, port, key }) {
  server.listen(port, host);
  try {
    await once(server, "listening");
  } catch (error) {
    throw new Error(`${key}: cannot listen (${error.code ?? error.message}); free the port and run again`);
  }
}

async function startEtcd() {
  if (!(await portIsFree("127.0.0.1", 2379))) {
    throw new Error("etcd: 127.0.0.1:2379 is taken; stop the etcd running there and run again");
  }
  const peer = createNetServer().listen(0, "127.0.0.1");
  await once(peer, "listening");
  const peerUrl = `http://127.0.0.1:${peer.address().port}`;
  peer.close();
  const dataDir = mkdtempSync(join(tmpdir(), "switchyard-doctest-etcd-"));
  const client = "http://127.0.0.1:2379";
  // ETCD_BIN, else etcd on PATH, as for the registry's own tests.
  const { ETCD_BIN: bin = "etcd" } = process.env;
  const child = spawn(
    bin,
    [
      ...["--name", "doctest", "--data-dir", dataDir],
      ...["--listen-client-urls", client, "--advertise-client-urls", client],
      ...["--listen-peer-urls", peerUrl, "--initial-advertise-peer-urls", peerUrl],
      ...["--initial-cluster", `doctest=${peerUrl}`],
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGKILL");
      await once(child, "exit");
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  let output = "";
  try {
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("etcd: not ready within 20 s")), 20_000);
      const onData = (chunk) => {
        output = (output + chunk).slice(-5000);
        if (output.includes("ready to serve client requests")) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout.on("data", onData);
      child.stderr.on("data", onData);
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`etcd: exited with ${code} while starting:\n${output.slice(-2000)}`));
      });
      child.once("error", (error) => {
        clearTimeout(timer);
        reject(
          new Error(
            `etcd: cannot start ${bin} (${error.code}); scripts/setup.sh installs Debian's etcd-server, or set ETCD_BIN`,
          ),
        );
      });
    });
  } catch (error) {
    await stop();
    throw error;
  }
  child.stdout.resume();
  child.stderr.resume();
  return { env: {}, stop };
}

async function startDns() {
  const zone = "greeter.default.svc.cluster.local";
  // DNSMASQ_BIN, else dnsmasq on PATH or in /usr/sbin (Debian's dnsmasq-base, from scripts/setup.sh).
  const { DNSMASQ_BIN: fromEnv } = process.env;
  const bin = fromEnv ?? (existsSync("/usr/sbin/dnsmasq") ? "/usr/sbin/dnsmasq" : "dnsmasq");
  const child = spawn(
    bin,
    [
      ...["--keep-in-foreground", "--port=1053", "--listen-address=127.0.0.1", "--bind-interfaces"],
      ...["--conf-file=/dev/null", "--no-resolv", "--no-hosts", "--pid-file=", "--log-facility=-"],
      ...["--local=/cluster.local/", "--local-ttl=5", `--host-record=greeter-0.${zone},${zone},127.0.0.1`],
      `--srv-host=_http._tcp.${zone},greeter-0.${zone},8000`,
      `--srv-host=_grpc._tcp.${zone},greeter-0.${zone},50051`,
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let output = "";
  try {
    await new Promise((resolve, reject) => {
      child.stderr.on("data", (chunk) => {
        output = (output + chunk).slice(-5000);
        if (output.includes("started, version")) resolve(); // its sockets are bound by then
      });
      child.once("exit", (code) =>
        reject(new Error(`dns: dnsmasq exited with ${code} while starting:\n${output}`)),
      );
      child.once("error", (error) =>
        reject(
          new Error(
            `dns: cannot start ${bin} (${error.code}); scripts/setup.sh installs Debian's dnsmasq-base, or set DNSMASQ_BIN`,
          ),
        ),
      );
    });
  } catch (error) {
    child.kill("SIGKILL");
    throw error;
  }
  child.stderr.resume();
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGKILL");
    await once(child, "exit");
  };
  return { env: {}, stop };
}

async function startConsul(root) {
  const url = pathToFileURL(join(root, "packages/testkit/dist/consul.js")).href;
  const { startConsulDouble } = await import(url);
  const double = await startConsulDouble();
  return { env: { CONSUL_HTTP_ADDR: double.address }, stop: () => double.close() };
}

async function startKubernetes(root) {
  const url = pathToFileURL(join(root, "packages/testkit/dist/kubernetes.js")).href;
  const { startKubernetesDouble } = await import(url);
  const double = await startKubernetesDouble({
    tls: true,
    users: [{ name: "doctest", token: "doctest-token" }],
  });
  double.apply({
    kind: "EndpointSlice",
    metadata: { name: "api-x7k2p", labels: { "kubernetes.io/service-name": "api" } },
    addressType: "IPv4",
    ports: [
      { name: "http", port: 8000, protocol: "TCP" },
      { name: "grpc", port: 50051, protocol: "TCP", appProtocol: "kubernetes.io/h2c" },
    ],
    endpoints: [
      {
        addresses: ["127.0.0.1"],
        conditions: { ready: true, serving: true, terminating: false },
        targetRef: { kind: "Pod", namespace: "default", name: "api-6d5f8b7c9-x7k2p" },
        nodeName: "node-1",
        zone: "zone-a",
      },
    ],
  });
  const dir = mkdtempSync(join(tmpdir(), "switchyard-doctest-kube-"));
  const kubeconfig = join(dir, "config");
  writeFileSync(kubeconfig, double.kubeconfig({ token: "doctest-token" }));
  return {
    env: { KUBECONFIG: kubeconfig },
    stop: async () => {
      await double.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function startHttp(need) {
  const server = createHttpServer((request, response) => {
    const name = new URL(request.url ?? "/", "http://x").searchParams.get("name") ?? "world";
    response.setHeader("content-type", "application/json");
    response.end(JSON.stringify({ message: `Hello ${name}` }));
  });
  await listenOn(server, need);
  return {
    env: {},
    stop: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

async function startGrpc(root, need, protoFile) {
  // The copies @switchyard/transport-grpc itself resolves, as a user's project would have them.
  const require = createRequire(join(root, "packages/transport-grpc/package.json"));
  const grpc = require("@grpc/grpc-js");
  const { loadSync } = require("@grpc/proto-loader");
  const { helloworld } = grpc.loadPackageDefinition(loadSync(protoFile));
  const server = new grpc.Server();
  server.addService(helloworld.Greeter.service, {
    sayHello: (call, callback) => callback(null, { message: `Hello ${call.request.name}` }),
  });
  await new Promise((resolve, reject) =>
    server.bindAsync(`${need.host}:${need.port}`, grpc.ServerCredentials.createInsecure(), (error) =>
      error
        ? reject(new Error(`${need.key}: cannot listen (${error.message}); free the port and run again`))
        : resolve(),
    ),
  );
  return { env: {}, stop: () => new Promise((resolve) => server.tryShutdown(() => resolve())) };
}

/**
 * Starts each need once (`needs`: parsed items, distinct by key). Resolves to `{ envOf, stop }`:
 * `envOf(keys)` is the environment a snippet that needs `keys` runs with, `stop()` stops everything
 * started (also called when a later start fails).
 */
export async function startServices(needs, { root, protoFile }) {
  const started = [];
  const envs = new Map();
  const stop = async () => {
    for (const service of started.splice(0).reverse()) await service.stop();
  };
  try {
    for (const need of needs) {
      const service =
        need.kind === "etcd"
          ? await startEtcd()
          : need.kind === "dns"
            ? await startDns()
            : need.kind === "consul"
              ? await startConsul(root)
              : need.kind === "kubernetes"
                ? await startKubernetes(root)
                : need.kind === "http"
                  ? await startHttp(need)
                  : await startGrpc(root, need, protoFile);
      started.push(service);
      envs.set(need.key, service.env);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  const envOf = (keys) => Object.assign({}, ...[...keys].map((key) => envs.get(key) ?? {}));
  return { envOf, stop };
}
