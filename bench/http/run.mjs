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
/** CPU-per-call ratio each entry point must reach (plain CPU / ours). */
const TARGETS = { "client.request": 0.95, "request(url)": 1.0, "fetch(url)": 0.95 };
const names = option("--only") ? [option("--only")] : Object.keys(ENTRIES).filter((n) => n !== "A/A");

const servers = fork(new URL("./servers.mjs", import.meta.url), ["3"]);
const ports = await new Promise((resolve) => servers.once("message", resolve));
const origins = JSON.stringify(ports.map((p) => `http://127.0.0.1:${p}`));

function measurePair(name) {
  const child = fork(new URL("./pair.mjs", import.meta.url), [
    name,
    origins,
    String(SLICE_MS),
    String(SLICES),
    String(ALLOC_CALLS),
  ]);
  return new Promise((resolve, reject) => {
    child.once("message", resolve);
    child.once("exit", (code) => reject(new Error(`bench/http: the ${name} pair exited with ${code}`)));
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
servers.kill();

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};
const seconds = ((performance.now() - started) / 1000).toFixed(0);
console.log(
  `\nHTTP entry points, client CPU per call (${CONCURRENCY} in flight; ${RUNS} run(s) of ${SLICES} × ${SLICE_MS} ms per side; the median run)`,
);
console.log(`Node ${process.version}; ${seconds} s; load average ${loadBefore} → ${load()}\n`);
console.log(
  "| entry point | Switchyard µs/call | plain undici | µs/call | ratio | runs' range | target | bytes/call (ours / plain) |",
);
console.log("|---|---:|---|---:|---:|---:|---:|---:|");
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
    `| ${rs[0].ours.label} | ${mid.ours.cpuUs.toFixed(1)} | ${rs[0].plain.label} | ${mid.plain.cpuUs.toFixed(1)} | ${mid.ratio.toFixed(2)}× | ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)} | ${verdict} | ${bytes("ours")} / ${bytes("plain")} |`,
  );
}
console.log("\nper run (ratio, ours µs / plain µs):");
for (const name of names) {
  console.log(
    `  ${name}: ${runs[name].map((r) => `${r.ratio.toFixed(2)} (${r.ours.cpuUs.toFixed(1)}/${r.plain.cpuUs.toFixed(1)})`).join(", ")}`,
  );
}
if (args.includes("--strict") && missed) process.exitCode = 1;
