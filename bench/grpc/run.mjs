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
import { CONCURRENCY } from "../pairs/measure.mjs";
import { benchOptions, loadText, runPairs, summary } from "../pairs/runner.mjs";
import { ENTRIES } from "./entries.mjs";

const options = benchOptions(process.argv.slice(2));
/** Calls per CPU-second each entry point must reach, as a ratio to round_robin's. */
const TARGETS = { unary: 1.0, "server-streaming": 1.0, "grpc.Client": 1.0, "unary, p2c": 1.0 };
const names = options.only ? [options.only] : Object.keys(ENTRIES).filter((n) => n !== "A/A");

const loadBefore = loadText();
const started = performance.now();
const runs = await runPairs("bench/grpc", new URL("./pair.mjs", import.meta.url), names, options);

const seconds = ((performance.now() - started) / 1000).toFixed(0);
console.log(
  `\ngRPC entry points, client-thread CPU per call (${CONCURRENCY} in flight, 3 servers; ${options.runs} run(s) of ${options.slices} × ${options.sliceMs} ms per side; the median run)`,
);
console.log(`Node ${process.version}; ${seconds} s; load average ${loadBefore} → ${loadText()}\n`);
console.log(
  "| entry point | Switchyard µs/call | grpc-js round_robin µs/call | ratio (calls per CPU s) | runs' range | target | bytes/call (ours / round_robin) |",
);
console.log("|---|---:|---:|---:|---:|---:|---:|");
let missed = false;
for (const name of names) {
  const rs = runs[name];
  const { mid, range, bytes, verdict, missed: short } = summary(rs, TARGETS[name]);
  missed ||= short;
  console.log(
    `| ${rs[0].ours.label} | ${mid.ours.cpuUs.toFixed(1)} | ${mid.plain.cpuUs.toFixed(1)} | ${mid.ratio.toFixed(2)}× | ${range} | ${verdict} | ${bytes("ours")} / ${bytes("plain")} |`,
  );
}
console.log("\nper run (ratio, ours µs / round_robin µs, ours calls/s / round_robin calls/s):");
for (const name of names) {
  console.log(
    `  ${name}: ${runs[name].map((r) => `${r.ratio.toFixed(2)} (${r.ours.cpuUs.toFixed(1)}/${r.plain.cpuUs.toFixed(1)}, ${Math.round(r.ours.rate)}/${Math.round(r.plain.rate)})`).join(", ")}`,
  );
}
if (options.strict && missed) process.exitCode = 1;
