// Measures every case of one balancer in a fresh process and prints one JSON line. run.mjs starts
// one worker per balancer and run, so the JIT sees one balancer per process (as an application
// does) and no case inherits call-site feedback from another balancer's code.
//
//   node --expose-gc src/worker.mjs <balancer> <warmupMs> <minCpuMs>

import { measure } from "mitata";
import { casesFor } from "./cases.mjs";
import { listen } from "./listeners.mjs";

const [name, warmupArg, minCpuArg] = process.argv.slice(2);
listen(name);
const warmupMs = Number(warmupArg ?? 100);
const minCpuMs = Number(minCpuArg ?? 250);

/** Runs `op` for about `ms` so that it is optimised before it is measured; returns ns per call. */
function warm(op, ms) {
  const start = performance.now();
  let calls = 0;
  let chunk = 1;
  let elapsed = 0;
  do {
    for (let i = 0; i < chunk; i++) op();
    calls += chunk;
    if (chunk < 256) chunk *= 2;
    elapsed = performance.now() - start;
  } while (elapsed < ms);
  return (elapsed * 1e6) / calls;
}

const results = {};
for (const c of casesFor(name)) {
  const op = c.setup();
  const perCallNs = warm(op, warmupMs);
  // Batches of about 100 µs: long enough to hide the timer's own cost, short enough for the slow
  // cases (apply, and naive-p2c's filtered selects over 10,000 nodes) to collect many samples.
  const batch = Math.min(4096, Math.max(4, Math.floor(1e5 / perCallNs / 4) * 4));
  const stats = await measure(op, { min_cpu_time: minCpuMs * 1e6, batch_samples: batch });
  results[c.id] = { p50: stats.p50, avg: stats.avg, min: stats.min, ticks: stats.ticks };
}
process.stdout.write(`${JSON.stringify({ balancer: name, results })}\n`);
