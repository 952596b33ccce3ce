// Requests per second through transport-http (wrr and p2c) against a plain undici Pool to one
// server and undici's BalancedPool over the same servers, in one run, and the client's CPU time per
// request (the servers run in a child process, so this process's CPU is the client's alone). Each
// configuration runs for a fixed time with a fixed number of requests in flight; rounds are
// interleaved and the median of the rounds is reported. `--quick` for a smoke run.
import { fork } from "node:child_process";
import { p2c } from "@switchyard/balancer-p2c";
import { wrr } from "@switchyard/balancer-wrr";
import { createMemoryRegistry } from "@switchyard/registry-memory";
import { createClient } from "@switchyard/transport-http";
import { BalancedPool, Pool, request } from "undici";

const quick = process.argv.includes("--quick");
const SERVERS = 3;
const CONCURRENCY = 32;
const DURATION_MS = quick ? 300 : 2000;
const ROUNDS = quick ? 1 : 5;

const servers = fork(new URL("./servers.mjs", import.meta.url), [String(SERVERS)]);
const ports = await new Promise((resolve) => servers.once("message", resolve));
const origins = ports.map((p) => `http://127.0.0.1:${p}`);

const registry = createMemoryRegistry();
for (const [i, port] of ports.entries()) {
  await registry.register({
    id: `s${i}`,
    name: "hello",
    version: "1.0.0",
    metadata: {},
    endpoints: [`http://127.0.0.1:${port}`],
  });
}
const viaWrr = await createClient({
  endpoint: "discovery:///hello",
  discovery: registry,
  selector: wrr(),
  block: true,
});
const viaP2c = await createClient({
  endpoint: "discovery:///hello",
  discovery: registry,
  selector: p2c(),
  block: true,
});

const configs = [
  { name: "undici Pool, 1 server", dispatcher: new Pool(origins[0]), url: `${origins[0]}/` },
  {
    name: `undici BalancedPool, ${SERVERS} servers`,
    dispatcher: new BalancedPool(origins),
    url: `${origins[0]}/`,
  },
  { name: `switchyard wrr, ${SERVERS} servers`, dispatcher: viaWrr.dispatcher, url: "http://hello/" },
  { name: `switchyard p2c, ${SERVERS} servers`, dispatcher: viaP2c.dispatcher, url: "http://hello/" },
];

async function measure({ dispatcher, url }) {
  let done = 0;
  const deadline = performance.now() + DURATION_MS;
  const lane = async () => {
    while (performance.now() < deadline) {
      const { body } = await request(url, { dispatcher });
      await body.dump();
      done++;
    }
  };
  const started = performance.now();
  const cpu = process.cpuUsage();
  await Promise.all(Array.from({ length: CONCURRENCY }, lane));
  const used = process.cpuUsage(cpu);
  return { rate: (done / (performance.now() - started)) * 1000, cpuUs: (used.user + used.system) / done };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const c of configs) await measure({ ...c, dispatcher: c.dispatcher }); // warm up connections and JIT
const results = new Map(configs.map((c) => [c.name, { rate: [], cpuUs: [] }]));
for (let round = 0; round < ROUNDS; round++) {
  for (const c of configs) {
    const r = await measure(c);
    results.get(c.name).rate.push(r.rate);
    results.get(c.name).cpuUs.push(r.cpuUs);
  }
}

const rate = (name) => median(results.get(name).rate);
const cpu = (name) => median(results.get(name).cpuUs);
const base = rate(configs[0].name);
console.log(`\nHTTP requests/s (${CONCURRENCY} in flight, ${DURATION_MS} ms x ${ROUNDS} rounds, median)\n`);
console.log("| client | req/s | vs Pool | client CPU µs/req | vs Pool |");
console.log("|---|---:|---:|---:|---:|");
for (const c of configs) {
  console.log(
    `| ${c.name} | ${Math.round(rate(c.name))} | ${(rate(c.name) / base).toFixed(2)}x | ${cpu(c.name).toFixed(1)} | ${(cpu(c.name) / cpu(configs[0].name)).toFixed(2)}x |`,
  );
}
const worst = Math.min(rate(configs[2].name), rate(configs[3].name)) / base;
console.log(`\ntarget >= 0.90x of a plain Pool: ${worst >= 0.9 ? "PASS" : "MISS"} (${worst.toFixed(2)}x)`);

await Promise.all([
  viaWrr.close(),
  viaP2c.close(),
  configs[0].dispatcher.close(),
  configs[1].dispatcher.close(),
]);
await registry.close();
servers.kill();
