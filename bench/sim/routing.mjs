// The routing simulator (issue 17): hot keys under consistent hashing with and without bounded
// loads, and zone-aware routing with a cross-zone penalty; the real selectors on the virtual clock
// of engine.mjs. Prints the tables and writes them to bench/sim/results/routing.md. See README.md.
//
//   pnpm turbo run build --filter=@switchyard/bench...   builds what it needs, then:
//   node bench/sim/routing.mjs       the full run (pnpm --filter @switchyard/bench sim:routing)
//     --quick                        every scenario at 40% of its length (writes to a temp directory)
//     --seed 7                       another seed (default 1)
//     --only hot-keys,zones-even     some scenarios
//     --out dir                      where to write (default bench/sim/results)

import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { simulate } from "./engine.mjs";
import { ms, pct, table } from "./format.mjs";
import { summarise } from "./metrics.mjs";
import { CROSS_ZONE_MS, homes, ROUTING_BALANCERS, ROUTING_SCENARIOS } from "./routing-scenarios.mjs";
import { shorten } from "./scenarios.mjs";

function parseArgs(argv) {
  const options = { quick: process.env.SIM_QUICK === "1", seed: 1, only: undefined, out: undefined };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--") continue;
    else if (arg === "--quick") options.quick = true;
    else if (arg === "--seed") options.seed = Number(argv[++i]);
    else if (arg === "--only") options.only = argv[++i].split(",");
    else if (arg === "--out") options.out = argv[++i];
    else throw new Error(`sim: unknown argument ${arg}; see the top of bench/sim/routing.mjs`);
  }
  if (!Number.isInteger(options.seed)) throw new Error("sim: --seed takes an integer");
  const known = new Set(ROUTING_SCENARIOS.map((s) => s.name));
  for (const name of options.only ?? []) {
    if (!known.has(name))
      throw new Error(`sim: no routing scenario ${name}; known: ${[...known].join(", ")}`);
  }
  return options;
}

/** The figures of one run of a hot-key scenario. */
export function keyFigures(run, scenario) {
  const summary = summarise(run, scenario);
  const { keys, backends, count } = run.keyLog;
  const home = homes(
    run.backends.map((b) => b.address),
    scenario.keys.count,
  );
  let onHome = 0;
  let hottest = 0;
  const hottestOn = new Set();
  for (let i = 0; i < count; i++) {
    if (backends[i] === home[keys[i]]) onHome++;
    if (keys[i] === 0) {
      hottest++;
      hottestOn.add(backends[i]);
    }
  }
  return {
    balancer: run.balancer,
    summary,
    onHome: count === 0 ? 0 : onHome / count,
    hottestShare: count === 0 ? 0 : hottest / count,
    hottestOn: hottestOn.size,
    peakInflight: Math.max(...run.peakInflight),
    medianPeakInflight: median(run.peakInflight),
  };
}

/** The figures of one run of a zone scenario; `callers` is the run's ZoneCallers. */
export function zoneFigures(run, scenario, callers) {
  const summary = summarise(run, scenario);
  const windowMs = scenario.durationMs - scenario.warmupMs;
  const zones = [...new Set(run.backends.map((b) => b.zone))];
  // The share of each zone's capacity used after the warm-up (over 100%: more than it can serve).
  const utilisation = zones.map((zone) => {
    const members = run.backends.filter((b) => b.zone === zone);
    const picks = members.reduce((sum, b) => sum + run.sharePicks[b.index], 0);
    const capacity = members.reduce((sum, b) => sum + b.capacity, 0);
    return picks / (capacity * windowMs);
  });
  const zoneA = run.backends.filter((b) => b.zone === "a").map((b) => b.index);
  return {
    balancer: run.balancer,
    summary,
    local: callers.counted === 0 ? 0 : callers.local / callers.counted,
    utilisationA: utilisation[zones.indexOf("a")],
    utilisationMax: Math.max(...utilisation),
    peakHeldA: Math.max(...zoneA.map((i) => run.peakHeld[i])),
    peakHeld: Math.max(...run.peakHeld),
  };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1];
}

export function keyTable(rows) {
  return table(
    [
      "selector",
      "p50",
      "p99",
      "p99.9",
      "errors",
      "calls on the key's node",
      "backends serving the hottest key",
      "peak in flight, busiest backend",
      "peak in flight, median backend",
    ],
    rows.map((r) => [
      r.balancer,
      ms(r.summary.p50),
      ms(r.summary.p99),
      ms(r.summary.p999),
      pct(r.summary.errorRate),
      pct(r.onHome),
      String(r.hottestOn),
      String(r.peakInflight),
      String(r.medianPeakInflight),
    ]),
  );
}

export function zoneTable(rows) {
  return table(
    [
      "selector",
      "calls kept in the caller's zone",
      "zone a's utilisation",
      "busiest zone's utilisation",
      "mean",
      "p50",
      "p99",
      "p99.9",
      "errors",
      "peak held, zone a",
      "peak held, any backend",
    ],
    rows.map((r) => [
      r.balancer,
      pct(r.local),
      pct(r.utilisationA),
      pct(r.utilisationMax),
      ms(r.summary.mean),
      ms(r.summary.p50),
      ms(r.summary.p99),
      ms(r.summary.p999),
      pct(r.summary.errorRate),
      String(r.peakHeldA),
      String(r.peakHeld),
    ]),
  );
}

/** Runs `scenario` with every selector of its kind; returns its figures. */
export function runScenario(scenario, seed) {
  return ROUTING_BALANCERS[scenario.kind].map((spec) => {
    let chooser;
    const run = simulate(scenario, { name: spec.name, make: (ctx) => (chooser = spec.make(ctx)) }, { seed });
    return scenario.kind === "keys" ? keyFigures(run, scenario) : zoneFigures(run, scenario, chooser);
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const options = parseArgs(process.argv.slice(2));
  let scenarios = ROUTING_SCENARIOS.filter(
    (s) => options.only === undefined || options.only.includes(s.name),
  );
  if (options.quick) scenarios = scenarios.map((s) => shorten(s, 0.4));
  const out =
    options.out ??
    (options.quick
      ? join(tmpdir(), "switchyard-sim-quick")
      : fileURLToPath(new URL("./results/", import.meta.url)));
  const started = performance.now();
  const load = loadavg()[0];
  const sections = [];
  for (const scenario of scenarios) {
    const rows = runScenario(scenario, options.seed);
    const render = scenario.kind === "keys" ? keyTable : zoneTable;
    sections.push(
      `### ${scenario.title} (\`${scenario.name}\`)\n\n${scenario.description}\n\n${render(rows)}`,
    );
    process.stderr.write(`sim: ${scenario.name} done\n`);
  }
  const header =
    `Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model.trim() ?? "cpu"}; seed ${options.seed}; ` +
    `${options.quick ? "quick run (every scenario at 40% of its length); " : ""}` +
    `${scenarios.length} scenarios in ${((performance.now() - started) / 1000).toFixed(1)} s; ` +
    `load average ${load.toFixed(1)} → ${loadavg()[0].toFixed(1)}. Latencies in ms after the 2 s warm-up ` +
    `(failed calls included); a call to another zone than its caller's adds ${CROSS_ZONE_MS} ms. "Held": calls a backend ` +
    'had queued or in service at once; "in flight": calls the client had picked for it and not yet seen end.';
  const text = [header, ...sections].join("\n\n");
  process.stdout.write(`${text}\n`);
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, "routing.md"), `${text}\n`);
  process.stderr.write(`sim: wrote ${join(out, "routing.md")}\n`);
}
