// Every gRPC entry point of transport-grpc beside grpc-js's round_robin over the same three servers:
// client-thread CPU time per call (the ratio is round_robin's CPU over ours: above 1 means we cost
// less, i.e. more calls per CPU-second) and bytes allocated per call. Each run measures each pair in
// a fresh child process of its own, with the servers in a worker thread of it (see pair.mjs), the
// pairs' order rotating from run to run. Reported: the median over runs of each run's ratio, with
// that run's CPU per call on each side, the lowest and highest ratio of the runs as the noise, and
// the median over runs of the bytes per call. `--only "A/A"` measures the harness itself: a
// round_robin client against another, where any ratio but 1.00 is the method's own bias and noise.
//
//   node grpc/run.mjs [--quick] [--runs N] [--only <entry>] [--strict]
import { fork } from "node:child_process";
import { loadavg } from "node:os";
import { ENTRIES } from "./entries.mjs";
import { CONCURRENCY } from "./measure.mjs";

const args = process.argv.slice(2);
const option = (flag) => (args.includes(flag) ? args[args.indexOf(flag) + 1] : undefined);
const quick = args.includes("--quick");
const RUNS = Number(option("--runs") ?? (quick ? 1 : 5));
const SLICE_MS = quick ? 150 : 250;
const SLICES = quick ? 2 : 12;
const ALLOC_CALLS = quick ? 2000 : 20000;
/** Calls per CPU-second each entry point must reach, as a ratio to round_robin's. */
const TARGETS = { unary: 1.0, "server-streaming": 1.0, "grpc.Client": 1.0, "unary, p2c": 1.0 };
const names = option("--only") ? [option("--only")] : Object.keys(ENTRIES).filter((n) => n !== "A/A");

function measurePair(name) {
  const child = fork(new URL("./pair.mjs", import.meta.url), [
    name,
    String(SLICE_MS),
    String(SLICES),
    String(ALLOC_CALLS),
  ]);
  return new Promise((resolve, reject) => {
    child.once("message", (result) => {
      child.kill();
      resolve(result);
    });
    child.once("exit", (code) => reject(new Error(`bench/grpc: the ${name} pair exited with ${code}`)));
  });
}

const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(" ");
const loadBefore = load();
const started = performance.now();
const runs = Object.fromEntries(names.map((n) => [n, []]));
for (let run = 0; run < RUNS; run++) {
  const order = names.map((_, i) => names[(i + run) % names.length]);
  for (const name of order) runs[name].push(await measurePair(name));
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};
const seconds = ((performance.now() - started) / 1000).toFixed(0);
console.log(
  `\ngRPC entry points, client-thread CPU per call (${CONCURRENCY} in flight, 3 servers; ${RUNS} run(s) of ${SLICES} × ${SLICE_MS} ms per side; the median run)`,
);
console.log(`Node ${process.version}; ${seconds} s; load average ${loadBefore} → ${load()}\n`);
console.log(
  "| entry point | Switchyard µs/call | grpc-js round_robin µs/call | ratio (calls per CPU s) | runs' range | target | bytes/call (ours / round_robin) |",
);
console.log("|---|---:|---:|---:|---:|---:|---:|");
let missed = false;
for (const name of names) {
  const rs = runs[name];
  const ratios = rs.map((r) => r.ratio);
  const mid = [...rs].sort((a, b) => a.ratio - b.ratio)[(rs.length - 1) >> 1];
  const target = TARGETS[name];
  const verdict =
    target === undefined ? "—" : `${target.toFixed(2)} ${mid.ratio >= target ? "met" : "MISSED"}`;
  if (target !== undefined && mid.ratio < target) missed = true;
  const bytes = (side) => Math.round(median(rs.map((r) => r[side].bytes))).toLocaleString("en-US");
  console.log(
    `| ${rs[0].ours.label} | ${mid.ours.cpuUs.toFixed(1)} | ${mid.plain.cpuUs.toFixed(1)} | ${mid.ratio.toFixed(2)}× | ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)} | ${verdict} | ${bytes("ours")} / ${bytes("plain")} |`,
  );
}
console.log("\nper run (ratio, ours µs / round_robin µs, ours calls/s / round_robin calls/s):");
for (const name of names) {
  console.log(
    `  ${name}: ${runs[name].map((r) => `${r.ratio.toFixed(2)} (${r.ours.cpuUs.toFixed(1)}/${r.plain.cpuUs.toFixed(1)}, ${Math.round(r.ours.rate)}/${Math.round(r.plain.rate)})`).join(", ")}`,
  );
}
if (args.includes("--strict") && missed) process.exitCode = 1;
