// The foundation benchmark: select+done for every balancer at 10, 1,000 and 10,000 nodes, with
// and without a version filter, with calls in flight, and apply; medians over repeated runs, then
// the ratios the targets ask for. See ../README.md.
//
//   pnpm bench                      5 runs (about 1.5 minutes on 2 cores)
//   pnpm bench -- --quick           1 short run, a smoke test (also BENCH_QUICK=1)
//   pnpm bench -- --runs 9          more runs
//   pnpm bench -- --strict          exit 1 when a target is missed
//   pnpm bench -- --json out.json   also write every run's raw numbers
//   pnpm bench -- --balancers hash,hash-nokey,p2c
//                                   only these balancers (no target checks)

import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { BALANCERS } from "./cases.mjs";
import { checks, checksTable, summarise, tables } from "./report.mjs";

function parseArgs(argv) {
  const options = {
    quick: process.env.BENCH_QUICK === "1",
    runs: undefined,
    strict: false,
    json: undefined,
    balancers: undefined,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--") continue;
    else if (arg === "--quick") options.quick = true;
    else if (arg === "--strict") options.strict = true;
    else if (arg === "--runs") options.runs = Number(argv[++i]);
    else if (arg === "--json") options.json = argv[++i];
    else if (arg === "--balancers") options.balancers = argv[++i].split(",");
    else throw new Error(`bench: unknown argument ${arg}; see the top of bench/src/run.mjs`);
  }
  if (options.runs !== undefined && !(Number.isInteger(options.runs) && options.runs > 0)) {
    throw new Error("bench: --runs takes a positive integer");
  }
  for (const name of options.balancers ?? []) {
    if (!(name in BALANCERS)) {
      throw new Error(`bench: no balancer ${name}; known: ${Object.keys(BALANCERS).join(", ")}`);
    }
  }
  return options;
}

const options = parseArgs(process.argv.slice(2));
const settings = options.quick
  ? { runs: options.runs ?? 1, warmupMs: 20, minCpuMs: 40 }
  : { runs: options.runs ?? 5, warmupMs: 100, minCpuMs: 250 };
const worker = fileURLToPath(new URL("./worker.mjs", import.meta.url));
const balancers = options.balancers ?? Object.keys(BALANCERS);

function runWorker(name) {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["--expose-gc", worker, name, String(settings.warmupMs), String(settings.minCpuMs)],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    let out = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk) => {
      out += chunk;
    });
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) reject(new Error(`bench: worker for ${name} exited with code ${code}`));
      else resolve(JSON.parse(out));
    });
  });
}

const started = performance.now();
const loadBefore = loadavg()[0];
const outputs = [];
for (let run = 0; run < settings.runs; run++) {
  // Rotate the order so that no balancer always runs first (or right after the slowest one).
  const order = balancers.map((_, i) => balancers[(i + run) % balancers.length]);
  for (const name of order) {
    process.stderr.write(`run ${run + 1}/${settings.runs}: ${name}…\n`);
    outputs.push({ run, ...(await runWorker(name)) });
  }
}
const seconds = (performance.now() - started) / 1000;

const summary = summarise(outputs);
// The targets compare balancers with each other: they need every one of them.
const rows = options.balancers === undefined ? checks(summary) : [];
const cpu = cpus();
console.log(
  [
    `Node ${process.version}, ${cpu.length} × ${cpu[0]?.model ?? "unknown CPU"}; ` +
      `${settings.runs} run${settings.runs === 1 ? "" : "s"}${options.quick ? " (quick)" : ""} in ${seconds.toFixed(0)} s; ` +
      `load average ${loadBefore.toFixed(1)} → ${loadavg()[0].toFixed(1)}`,
    "",
    tables(summary, balancers),
    ...(rows.length === 0 ? [] : ["", "Targets", "", checksTable(rows)]),
  ].join("\n"),
);
if (options.json !== undefined) {
  writeFileSync(options.json, `${JSON.stringify({ settings, outputs, summary }, null, 2)}\n`);
}
if (options.strict && rows.some((r) => r.pass === false)) process.exitCode = 1;
