// The driver side of bench/http and bench/grpc: the options every such bench takes, one forked
// process per pair and run (the pairs' order rotating from run to run), and the summary of a pair's
// runs (the median run's ratio and CPU, the range of the ratios as the noise, the median bytes).
import { fork } from "node:child_process";
import { loadavg } from "node:os";

/** `[--quick] [--runs N] [--only <entry>] [--strict]`, and the slice settings they imply. */
export function benchOptions(args) {
  const option = (flag) => (args.includes(flag) ? args[args.indexOf(flag) + 1] : undefined);
  const quick = args.includes("--quick");
  return {
    runs: Number(option("--runs") ?? (quick ? 1 : 5)),
    sliceMs: quick ? 150 : 250,
    slices: quick ? 2 : 12,
    allocCalls: quick ? 2000 : 20000,
    only: option("--only"),
    strict: args.includes("--strict"),
  };
}

/** The load average's three figures, for the report's header. */
export const loadText = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(" ");

/**
 * Runs every pair of `names` `options.runs` times, each in a fresh process of `script` given the
 * pair's name, `extraArgs`, then the slice settings; returns each pair's results, by name.
 */
export async function runPairs(bench, script, names, options, extraArgs = []) {
  const runs = Object.fromEntries(names.map((n) => [n, []]));
  const settings = [options.sliceMs, options.slices, options.allocCalls].map(String);
  for (let run = 0; run < options.runs; run++) {
    const order = names.map((_, i) => names[(i + run) % names.length]);
    for (const name of order) {
      const child = fork(script, [name, ...extraArgs, ...settings]);
      const result = await new Promise((resolve, reject) => {
        child.once("message", resolve);
        child.once("exit", (code) => reject(new Error(`${bench}: the ${name} pair exited with ${code}`)));
      });
      child.kill();
      runs[name].push(result);
    }
  }
  return runs;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};

/**
 * A pair's runs summed up: the run whose ratio is the median (`mid`: its CPU per call on both sides
 * is what the table shows, so the two sides come from one run), the lowest and highest ratio, the
 * median bytes per call of a side, formatted, and the verdict against `target` (none: "—").
 */
export function summary(rs, target) {
  const ratios = rs.map((r) => r.ratio);
  const mid = [...rs].sort((a, b) => a.ratio - b.ratio)[(rs.length - 1) >> 1];
  const missed = target !== undefined && mid.ratio < target;
  return {
    mid,
    range: `${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}`,
    bytes: (side) => Math.round(median(rs.map((r) => r[side].bytes))).toLocaleString("en-US"),
    missed,
    verdict: target === undefined ? "—" : `${target.toFixed(2)} ${missed ? "MISSED" : "met"}`,
  };
}
