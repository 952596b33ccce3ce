// `pnpm demo`: a helloworld fleet on loopback (HTTP and gRPC servers per instance), registered in
// registry-memory (or Consul with --registry consul), and the same traffic through each balancer
// over both transports. Prints a table per run, writes an HTML report, and exits 1 if routing
// broke: a call reached a filtered-out version, or failed for any reason other than the flaky
// instance's own injected failures.

import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { p2c } from "@switchyard/balancer-p2c";
import { random } from "@switchyard/balancer-random";
import { wrr } from "@switchyard/balancer-wrr";
import { driveGrpc, driveHttp } from "./drive.mjs";
import { INSTANCES, startFleet } from "./fleet.mjs";
import { createProgress } from "./progress.mjs";
import { openRegistry } from "./registry.mjs";
import { printTables, writeReport } from "./report.mjs";

const { values: flags } = parseArgs({
  options: {
    requests: { type: "string", default: "1500" },
    concurrency: { type: "string", default: "16" },
    balancer: { type: "string", default: "all" },
    registry: { type: "string", default: "memory" },
    transport: { type: "string", default: "all" },
    json: { type: "boolean", default: false },
    out: { type: "string", default: fileURLToPath(new URL("../out", import.meta.url)) },
  },
});

const BALANCERS = { wrr: () => wrr(), p2c: () => p2c(), random: () => random() };
const requests = Number(flags.requests);
const concurrency = Number(flags.concurrency);
const balancers = flags.balancer === "all" ? Object.keys(BALANCERS) : flags.balancer.split(",");
const transports = flags.transport === "all" ? ["http", "grpc"] : flags.transport.split(",");
const fail = (message) => {
  console.error(`demo: ${message}`);
  process.exit(2);
};
if (!(requests >= 10) || !Number.isInteger(requests))
  fail(`--requests must be an integer ≥ 10, got ${flags.requests}`);
if (!(concurrency >= 1) || !Number.isInteger(concurrency))
  fail(`--concurrency must be an integer ≥ 1, got ${flags.concurrency}`);
for (const b of balancers) if (!(b in BALANCERS)) fail(`unknown balancer ${b}; use wrr, p2c, random or all`);
for (const t of transports)
  if (t !== "http" && t !== "grpc") fail(`unknown transport ${t}; use http, grpc or all`);

const log = flags.json ? () => {} : console.log;
const fleet = await startFleet();
const registry = await openRegistry(flags.registry, log);

/** Back to the starting membership: every instance but the late joiner. */
async function reset() {
  for (const f of fleet) {
    if (f.late) await registry.deregister(f.entry);
    else await registry.register(f.entry);
  }
}

async function midway() {
  await registry.deregister(fleet.find((f) => f.leaves).entry);
  await registry.register(fleet.find((f) => f.late).entry);
}

log(
  `demo: ${fleet.length} helloworld instances on loopback (${INSTANCES.map((i) => `${i.id} ${i.version}`).join(", ")}), ` +
    `registry: ${registry.label}; ${requests} calls per run, ${concurrency} in flight`,
);
const progress = createProgress(requests * balancers.length * transports.length);
const summaries = [];
const started = performance.now();
try {
  for (const name of balancers) {
    for (const transport of transports) {
      await reset();
      progress.phase(`${name}/${transport}`);
      const drive = transport === "http" ? driveHttp : driveGrpc;
      const stats = await drive({
        name,
        selector: BALANCERS[name](),
        discovery: registry.discovery,
        fleet,
        requests,
        concurrency,
        midway,
        progress: () => progress.tick(),
      });
      summaries.push(stats.summary(fleet));
    }
  }
} finally {
  progress.end();
  await registry.close();
  await Promise.all(fleet.map((f) => f.close()));
}

const broken = summaries.filter((s) => s.misrouted + s.broken > 0);
if (flags.json) {
  console.log(JSON.stringify({ summaries, broken: broken.length > 0 }, null, 2));
} else {
  printTables(summaries, log);
  const report = writeReport(summaries, flags.out);
  log(
    `\ndemo: ${summaries.length} runs in ${((performance.now() - started) / 1000).toFixed(1)} s; report: ${report}`,
  );
}
if (broken.length > 0) {
  console.error(`demo: routing broke in ${broken.map((s) => `${s.balancer}/${s.transport}`).join(", ")}`);
  process.exit(1);
}
