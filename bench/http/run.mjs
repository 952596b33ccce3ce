// Every HTTP entry point of transport-http beside its plain-undici counterpart: client CPU time per
// call (the ratio is the plain side's CPU over ours: above 1 means we cost less) and bytes allocated
// per call. The servers run in a child process; each run measures each pair in a fresh child
// process of its own (see pair.mjs), the pairs' order rotating from run to run. Reported: the median
// over runs of each run's ratio, with that run's CPU per call on each side, the lowest and highest
// ratio of the runs as the noise, and the median over runs of the bytes per call. `--only "A/A"`
// measures the harness itself: a Pool against another Pool, where any ratio but 1.00 is the
// method's own bias and noise.
//
//   node http/run.mjs [--quick] [--runs N] [--only <entry>] [--strict]
import { fork } from "node:child_process";
import { CONCURRENCY } from "../pairs/measure.mjs";
import { benchOptions, loadText, runPairs, summary } from "../pairs/runner.mjs";
import { ENTRIES } from "./entries.mjs";

const options = benchOptions(process.argv.slice(2));
/** CPU-per-call ratio each entry point must reach (plain CPU / ours). */
const TARGETS = { "client.request": 0.95, "request(url)": 1.0, "fetch(url)": 0.95 };
const names = options.only ? [options.only] : Object.keys(ENTRIES).filter((n) => n !== "A/A");

const servers = fork(new URL("./servers.mjs", import.meta.url), ["3"]);
const ports = await new Promise((resolve) => servers.once("message", resolve));
const origins = JSON.stringify(ports.map((p) => `http://127.0.0.1:${p}`));

const loadBefore = loadText();
const started = performance.now();
const runs = await runPairs("bench/http", new URL("./pair.mjs", import.meta.url), names, options, [origins]);
servers.kill();

const seconds = ((performance.now() - started) / 1000).toFixed(0);
console.log(
  `\nHTTP entry points, client CPU per call (${CONCURRENCY} in flight; ${options.runs} run(s) of ${options.slices} × ${options.sliceMs} ms per side; the median run)`,
);
console.log(`Node ${process.version}; ${seconds} s; load average ${loadBefore} → ${loadText()}\n`);
console.log(
  "| entry point | Switchyard µs/call | plain undici | µs/call | ratio | runs' range | target | bytes/call (ours / plain) |",
);
console.log("|---|---:|---|---:|---:|---:|---:|---:|");
let missed = false;
for (const name of names) {
  const rs = runs[name];
  const { mid, range, bytes, verdict, missed: short } = summary(rs, TARGETS[name]);
  missed ||= short;
  console.log(
    `| ${rs[0].ours.label} | ${mid.ours.cpuUs.toFixed(1)} | ${rs[0].plain.label} | ${mid.plain.cpuUs.toFixed(1)} | ${mid.ratio.toFixed(2)}× | ${range} | ${verdict} | ${bytes("ours")} / ${bytes("plain")} |`,
  );
}
console.log("\nper run (ratio, ours µs / plain µs):");
for (const name of names) {
  console.log(
    `  ${name}: ${runs[name].map((r) => `${r.ratio.toFixed(2)} (${r.ours.cpuUs.toFixed(1)}/${r.plain.cpuUs.toFixed(1)})`).join(", ")}`,
  );
}
if (options.strict && missed) process.exitCode = 1;
