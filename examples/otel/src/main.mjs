// A client instrumented with @switchyard/otel, its metrics served in Prometheus's format. Three
// HTTP servers of a "helloworld" service in the embedded registry: s0 answers at once, s1 after
// 20 ms, s2 fails one request in four with 503. A p2c client sends them 200 requests; then the
// example fetches its own /metrics, the way Prometheus would scrape it, prints the per-endpoint
// series, and checks that every endpoint has its call counter and duration histogram, that the
// counts add up to the requests sent, and that s2's failures carry error.type="503".
// It exits 1 when they are not what it says.
import { createServer } from "node:http";
import { PrometheusExporter } from "@opentelemetry/exporter-prometheus";
import { registerInstrumentations } from "@opentelemetry/instrumentation";
import { MeterProvider } from "@opentelemetry/sdk-metrics";
import { p2c } from "@switchyard/balancer-p2c";
import { SwitchyardInstrumentation } from "@switchyard/otel";
import { createMemoryRegistry } from "@switchyard/registry-memory";
import { createClient } from "@switchyard/transport-http";

function check(ok, message) {
  if (ok) return;
  console.error(`otel: ${message}`);
  process.exitCode = 1;
}

const listen = (server) => new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));

// ---- Telemetry: the instrumentation, a meter provider, the Prometheus exporter ----------------

// The exporter's own server would listen on 9464; here the app serves /metrics on a port of its own.
const exporter = new PrometheusExporter({ preventServerStart: true });
const meterProvider = new MeterProvider({ readers: [exporter] });
const unregister = registerInstrumentations({
  instrumentations: [new SwitchyardInstrumentation()],
  meterProvider,
});
const metricsServer = await listen(
  createServer((req, res) => {
    if (req.url === "/metrics") exporter.getMetricsRequestHandler(req, res);
    else res.writeHead(404).end();
  }),
);

// ---- Three servers and a client ----------------------------------------------------------------

let served = 0;
const behaviours = [
  (res) => res.end("s0"),
  (res) => setTimeout(() => res.end("s1"), 20),
  (res) => {
    res.statusCode = served % 4 === 0 ? 503 : 200;
    res.end("s2");
  },
];
const servers = await Promise.all(
  behaviours.map((behave) =>
    listen(
      createServer((_req, res) => {
        served++;
        behave(res);
      }),
    ),
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
const quiet = { warn: () => {} };
const client = await createClient({
  endpoint: "discovery:///helloworld",
  discovery: registry,
  selector: p2c({ logger: quiet }),
  retry: false,
  logger: quiet,
  block: { timeoutMs: 5000 },
});

const REQUESTS = 200;
for (let i = 0; i < REQUESTS; i += 4) {
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      const reply = await client.request("/hello");
      await reply.body.dump();
    }),
  );
}

// ---- Scrape /metrics and check the per-endpoint series -----------------------------------------

const scrape = await fetch(`http://127.0.0.1:${metricsServer.address().port}/metrics`);
const text = await scrape.text();
check(scrape.status === 200, `GET /metrics answered ${scrape.status}`);
const lines = text.split("\n").filter((line) => line.startsWith("switchyard_"));
console.log(`otel: ${REQUESTS} requests; the per-endpoint series of /metrics:`);
for (const line of lines.filter((l) => /^switchyard_client_calls|_count\{|^switchyard_endpoint/.test(l))) {
  console.log(`  ${line}`);
}

/** The value of each sample of `name` whose labels include `labels`, summed. */
function total(name, labels = {}) {
  let sum = 0;
  for (const line of lines) {
    const match = /^([a-z_]+)\{([^}]*)\} (\S+)/.exec(line);
    if (match === null || match[1] !== name) continue;
    const found = Object.fromEntries([...match[2].matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([key, value]) => found[key] === value)) sum += Number(match[3]);
  }
  return sum;
}

check(
  total("switchyard_client_calls_total") === REQUESTS,
  `the call counter sums to ${total("switchyard_client_calls_total")}, not ${REQUESTS}`,
);
for (const [i, server] of servers.entries()) {
  const peer = {
    server_address: "helloworld",
    network_peer_address: "127.0.0.1",
    network_peer_port: String(server.address().port),
    switchyard_balancer: "p2c",
  };
  const calls = total("switchyard_client_calls_total", peer);
  check(calls > 0, `no switchyard_client_calls_total series for s${i} (${peer.network_peer_port})`);
  check(
    total("switchyard_client_call_duration_count", peer) === calls,
    `s${i}'s duration histogram does not count its ${calls} calls`,
  );
  check(total("switchyard_endpoint_inflight", peer) === 0, `s${i} still has calls in flight`);
}
const s2 = String(servers[2].address().port);
check(
  total("switchyard_client_calls_total", { network_peer_port: s2, error_type: "503" }) > 0,
  's2\'s 503 replies are not counted with error_type="503"',
);

await client.close();
unregister();
await meterProvider.shutdown();
for (const server of [...servers, metricsServer]) server.close();
if (process.exitCode !== 1) console.log("otel: every endpoint has its series; the counts add up");
