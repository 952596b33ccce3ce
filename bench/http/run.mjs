// Requests per second through transport-http (wrr and p2c) against a plain undici Pool to one
// server and undici's BalancedPool over the same servers, in one run. Each configuration runs for
// a fixed time with a fixed number of requests in flight; rounds are interleaved and the median
// of the rounds is reported. `--quick` for a smoke run.
import { Worker } from "node:worker_threads";
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

const worker = new Worker(new URL("./servers.mjs", import.meta.url), { workerData: { count: SERVERS } });
const ports = await new Promise((resolve) => worker.once("message", resolve));
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
  await Promise.all(Array.from({ length: CONCURRENCY }, lane));
  return (done / (performance.now() - started)) * 1000;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const c of configs) await measure({ ...c, dispatcher: c.dispatcher }); // warm up connections and JIT
const results = new Map(configs.map((c) => [c.name, []]));
for (let round = 0; round < ROUNDS; round++) {
  for (const c of configs) results.get(c.name).push(await measure(c));
}

const base = median(results.get(configs[0].name));
console.log(`\nHTTP requests/s (${CONCURRENCY} in flight, ${DURATION_MS} ms x ${ROUNDS} rounds, median)\n`);
console.log("| client | req/s | vs Pool |");
console.log("|---|---:|---:|");
for (const c of configs) {
  const m = median(results.get(c.name));
  console.log(`| ${c.name} | ${Math.round(m)} | ${(m / base).toFixed(2)}x |`);
}
const worst = Math.min(median(results.get(configs[2].name)), median(results.get(configs[3].name))) / base;
console.log(`\ntarget >= 0.90x of a plain Pool: ${worst >= 0.9 ? "PASS" : "MISS"} (${worst.toFixed(2)}x)`);

await Promise.all([
  viaWrr.close(),
  viaP2c.close(),
  configs[0].dispatcher.close(),
  configs[1].dispatcher.close(),
]);
await registry.close();
await worker.terminate();
