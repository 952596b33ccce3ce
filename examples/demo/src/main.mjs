// `pnpm demo`: a helloworld fleet on loopback (HTTP and gRPC servers per instance), registered in
// registry-memory (or Consul with --registry consul), and the same traffic through each balancer
// over both transports. Prints a table per run, writes an HTML report, and exits 1 if routing
// broke: a call reached a filtered-out version, or failed for any reason other than the flaky
// instance's own injected failures.

import { fileURLToPath } from "node:url";
import { parseDemoArgs, USAGE, UsageError } from "./args.mjs";

let flags;
try {
  flags = parseDemoArgs(process.argv.slice(2), { out: fileURLToPath(new URL("../out", import.meta.url)) });
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  process.stderr.write(`demo: ${error.message}\n\n${USAGE}`);
  process.exit(2);
}
if (flags.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}

// Loaded once the command line is known good, so --help and a typo answer at once.
const { p2c } = await import("@switchyard/balancer-p2c");
const { random } = await import("@switchyard/balancer-random");
const { wrr } = await import("@switchyard/balancer-wrr");
const { driveGrpc, driveHttp } = await import("./drive.mjs");
const { INSTANCES, startFleet } = await import("./fleet.mjs");
const { createProgress } = await import("./progress.mjs");
const { openRegistry } = await import("./registry.mjs");
const { printTables, writeReport } = await import("./report.mjs");
const { scenarioSteps } = await import("./scenario.mjs");

const { requests, concurrency, rate, balancers, transports, health } = flags;
// Endpoint health is on by default in every balancer; `health: false` routes as Kratos does. Each
// takes the logger that reports its ejections and returns to the run.
const options = health ? {} : { health: false };
const BALANCERS = {
  wrr: (logger) => wrr({ ...options, logger }),
  p2c: (logger) => p2c({ ...options, logger }),
  random: (logger) => random({ ...options, logger }),
};

const log = flags.json ? () => {} : console.log;
const fleet = await startFleet();
const registry = await openRegistry(flags.registry, log);

/** Back to the start of the story: every instance healthy, every one registered but the late joiner. */
async function reset() {
  for (const f of fleet) {
    f.setFaults(false);
    if (f.late) await registry.deregister(f.entry);
    else await registry.register(f.entry);
  }
}

/** Makes one event of the story happen. */
async function happen({ kind, id }) {
  const f = fleet.find((instance) => instance.id === id);
  if (kind === "slow" || kind === "fails") f.setFaults(true);
  else if (kind === "leaves") await registry.deregister(f.entry);
  else if (kind === "joins") await registry.register(f.entry);
}

const steps = scenarioSteps(INSTANCES, requests).map((step) => ({
  ...step,
  async apply() {
    for (const event of step.events) await happen(event);
  },
}));

log(
  `demo: ${fleet.length} helloworld instances on loopback (${INSTANCES.map((i) => `${i.id} ${i.version}`).join(", ")}), ` +
    `registry: ${registry.label}; ${requests} calls per run${rate > 0 ? ` at ${rate}/s` : ""}, ${concurrency} in flight; ` +
    `endpoint health ${health ? "on" : "off"}`,
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
        balancer: BALANCERS[name],
        discovery: registry.discovery,
        fleet,
        requests,
        concurrency,
        rate,
        steps,
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
  console.log(JSON.stringify({ health, summaries, broken: broken.length > 0 }, null, 2));
} else {
  printTables(summaries, log);
  const report = writeReport(summaries, flags.out, health);
  log(
    `\ndemo: ${summaries.length} runs in ${((performance.now() - started) / 1000).toFixed(1)} s; report: ${report}`,
  );
}
if (broken.length > 0) {
  console.error(`demo: routing broke in ${broken.map((s) => `${s.balancer}/${s.transport}`).join(", ")}`);
  process.exit(1);
}
