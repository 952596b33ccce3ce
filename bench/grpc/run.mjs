// Unary calls per second through the Switchyard policy (wrr and p2c, discovery:/// targets fed by
// the in-process registry) against grpc-js's built-in round_robin over the same servers, in one
// run. Each configuration runs for a fixed time with a fixed number of calls in flight; rounds
// are interleaved (the order rotates every round). Reported per configuration: the median
// calls/s, the median client CPU time per call (the servers run in a child process), and the
// medians of the per-round ratios to round_robin. On a shared machine wall-clock throughput moves
// with other load; CPU per call is the steadier of the two. `--quick` for a smoke run; `--strict`
// exits 1 when a throughput ratio misses the target.
import { fork } from "node:child_process";
import { p2c } from "@switchyard/balancer-p2c";
import { wrr } from "@switchyard/balancer-wrr";
import { createMemoryRegistry } from "@switchyard/registry-memory";
import { createChannelOptions } from "@switchyard/transport-grpc";
import { Greeter, grpc } from "./grpc.mjs";

const quick = process.argv.includes("--quick");
const strict = process.argv.includes("--strict");
const SERVERS = 3;
const CONCURRENCY = 32;
const DURATION_MS = quick ? 300 : 400;
const ROUNDS = quick ? 1 : 31;
const TARGET = 0.95;

const child = fork(new URL("./servers.mjs", import.meta.url), [String(SERVERS)]);
const ports = await new Promise((resolve) => child.once("message", resolve));
const addresses = ports.map((p) => `127.0.0.1:${p}`);

const registry = createMemoryRegistry();
for (const [i, address] of addresses.entries()) {
  const endpoints = [`grpc://${address}`];
  await registry.register({ id: `s${i}`, name: "hello", version: "1.0.0", metadata: {}, endpoints });
}
const insecure = grpc.credentials.createInsecure();
const viaSwitchyard = (selector) => {
  const { target, options } = createChannelOptions({
    target: "discovery:///hello",
    discovery: registry,
    selector,
  });
  return new Greeter(target, insecure, options);
};

const BASELINE = `grpc-js round_robin, ${SERVERS} servers`;
const configs = [
  {
    name: BASELINE,
    client: new Greeter(`ipv4:${addresses.join(",")}`, insecure, {
      "grpc.service_config": JSON.stringify({ loadBalancingConfig: [{ round_robin: {} }] }),
    }),
  },
  { name: `switchyard wrr, ${SERVERS} servers`, client: viaSwitchyard(wrr()) },
  { name: `switchyard p2c, ${SERVERS} servers`, client: viaSwitchyard(p2c()) },
];

const request = { name: "bench" };

/** Runs `client` with CONCURRENCY calls in flight for DURATION_MS: calls/s and client CPU µs per call. */
function measure(client) {
  return new Promise((resolve, reject) => {
    let done = 0;
    let lanes = CONCURRENCY;
    const cpu = process.cpuUsage();
    const started = performance.now();
    const deadline = started + DURATION_MS;
    const lane = () =>
      client.sayHello(request, (error) => {
        if (error) return reject(error);
        done++;
        if (performance.now() < deadline) return lane();
        if (--lanes > 0) return;
        const elapsed = performance.now() - started;
        const used = process.cpuUsage(cpu);
        resolve({ rate: (done / elapsed) * 1000, cpuPerCall: (used.user + used.system) / done });
      });
    for (let i = 0; i < CONCURRENCY; i++) lane();
  });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};

// Warm up: connect every subchannel and let the JIT settle.
for (let i = 0; i < 2; i++) for (const c of configs) await measure(c.client);
const results = new Map(configs.map((c) => [c.name, []]));
for (let round = 0; round < ROUNDS; round++) {
  const order = configs.map((_, i) => configs[(i + round) % configs.length]);
  for (const c of order) results.get(c.name).push(await measure(c.client));
}

const base = results.get(BASELINE);
const ratio = (values, key, invert) =>
  median(values.map((v, i) => (invert ? base[i][key] / v[key] : v[key] / base[i][key])));
console.log(
  `gRPC unary calls, ${CONCURRENCY} in flight, ${SERVERS} servers in a child process, ` +
    `${ROUNDS} interleaved round(s) of ${DURATION_MS} ms (Node ${process.version})\n`,
);
console.log(
  "| configuration | calls/s (median) | ratio | client CPU µs/call (median) | ratio (calls per CPU s) |",
);
console.log("| --- | ---: | ---: | ---: | ---: |");
for (const [name, values] of results) {
  const rate = median(values.map((v) => v.rate));
  const cpu = median(values.map((v) => v.cpuPerCall));
  console.log(
    `| ${name} | ${Math.round(rate)} | ${ratio(values, "rate", false).toFixed(3)}× | ${cpu.toFixed(1)} | ` +
      `${ratio(values, "cpuPerCall", true).toFixed(3)}× |`,
  );
}
let failed = false;
for (const name of [...results.keys()].filter((n) => n !== BASELINE)) {
  const throughput = ratio(results.get(name), "rate", false);
  const ok = throughput >= TARGET;
  failed ||= !ok;
  console.log(
    `${ok ? "ok  " : "MISS"} ${name}: ${throughput.toFixed(3)}× round_robin's calls/s (target ≥ ${TARGET}×)`,
  );
}

for (const c of configs) c.client.close();
await registry.close();
child.disconnect();
process.exitCode = strict && failed ? 1 : 0;
