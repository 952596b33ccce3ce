// "A consumer pays only for what it imports": bundles single imports of the built packages the way
// an application would (esbuild: platform node, ESM, minified, tree-shaken), prints minified and
// minified+gzip sizes, and exits 1 when a bundle is over its budget or carries code of a package
// it did not import (another balancer's class surviving in it).
//
//   pnpm build && node scripts/check-size.mjs
//
// Budgets are the sizes of 2026-11-25 plus about 30%; raise one deliberately, in the same change
// that grows the bundle, and say why.

import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

const root = fileURLToPath(new URL("..", import.meta.url));

// Class names that identify a package's code. Checked in an unminified build of the same bundle,
// since minification renames classes.
const MARKERS = {
  wrr: "WrrBalancer",
  p2c: "P2cBalancer",
  random: "RandomBalancer",
  ewma: "EwmaNode",
  selector: "DefaultSelector",
};

/** What each bundle imports, the markers it must and must not hold, and its budgets in bytes. */
const BUNDLES = [
  {
    name: "p2c",
    code: 'export { p2c } from "@switchyard/balancer-p2c";',
    has: ["p2c", "ewma"],
    lacks: ["wrr", "random"],
    budget: { minified: 12_000, gzip: 4_800 },
  },
  {
    name: "wrr",
    code: 'export { wrr } from "@switchyard/balancer-wrr";',
    has: ["wrr"],
    lacks: ["p2c", "random", "ewma"],
    budget: { minified: 10_600, gzip: 4_300 },
  },
  {
    name: "random",
    code: 'export { random } from "@switchyard/balancer-random";',
    has: ["random"],
    lacks: ["wrr", "p2c", "ewma"],
    budget: { minified: 7_600, gzip: 3_100 },
  },
  {
    name: "version filter",
    code: 'export { version } from "@switchyard/filter-version";',
    has: [],
    lacks: ["wrr", "p2c", "random", "ewma", "selector"],
    budget: { minified: 1_200, gzip: 700 },
  },
  {
    name: "api errors",
    code:
      "export { FilterError, InvalidArgumentError, NoAvailableNodeError, RegistryError, SwitchyardError, " +
      'WatcherStoppedError } from "@switchyard/api";',
    has: [],
    lacks: ["wrr", "p2c", "random", "ewma", "selector"],
    budget: { minified: 1_600, gzip: 720 },
  },
];

/**
 * A throwaway directory whose node_modules links every workspace package, as an installed app
 * sees them; each link resolves to the package folder, so its own dependencies resolve as published.
 */
function consumerDir() {
  const dir = mkdtempSync(join(tmpdir(), "switchyard-size-"));
  const scope = join(dir, "node_modules", "@switchyard");
  mkdirSync(scope, { recursive: true });
  for (const folder of readdirSync(join(root, "packages"))) {
    let manifest;
    try {
      manifest = JSON.parse(readFileSync(join(root, "packages", folder, "package.json"), "utf8"));
    } catch {
      continue;
    }
    if (typeof manifest.name !== "string" || !manifest.name.startsWith("@switchyard/")) continue;
    symlinkSync(
      join(root, "packages", folder),
      join(scope, manifest.name.slice("@switchyard/".length)),
      "dir",
    );
  }
  return dir;
}

async function bundle(code, resolveDir, minify) {
  const result = await build({
    stdin: { contents: code, resolveDir, sourcefile: "consumer.mjs", loader: "js" },
    bundle: true,
    write: false,
    platform: "node",
    format: "esm",
    target: "node20",
    minify,
    treeShaking: true,
    metafile: true,
    logLevel: "silent",
  });
  const packages = new Set();
  for (const input of Object.keys(result.metafile.inputs)) {
    const match = /packages\/([^/]+)\/dist\//.exec(input);
    if (match !== null) packages.add(match[1]);
  }
  return { text: result.outputFiles[0].text, packages: [...packages].sort() };
}

const kb = (bytes) => `${(bytes / 1024).toFixed(2)} KiB`;

const dir = consumerDir();
const rows = [];
const problems = [];
try {
  for (const spec of BUNDLES) {
    let minified;
    let plain;
    try {
      minified = await bundle(spec.code, dir, true);
      plain = await bundle(spec.code, dir, false);
    } catch (error) {
      const detail = error?.errors?.[0]?.text ?? String(error);
      problems.push(`${spec.name}: cannot bundle (${detail}); run \`pnpm build\` first`);
      continue;
    }
    const size = Buffer.byteLength(minified.text);
    const gzip = gzipSync(minified.text, { level: 9 }).length;
    const ok = size <= spec.budget.minified && gzip <= spec.budget.gzip;
    if (size > spec.budget.minified) {
      problems.push(`${spec.name}: minified ${size} B is over its budget of ${spec.budget.minified} B`);
    }
    if (gzip > spec.budget.gzip) {
      problems.push(`${spec.name}: minified+gzip ${gzip} B is over its budget of ${spec.budget.gzip} B`);
    }
    const leaks = spec.lacks.filter((key) => plain.text.includes(MARKERS[key]));
    for (const key of leaks) {
      problems.push(`${spec.name}: carries ${MARKERS[key]} (${key} code) although it does not import it`);
    }
    // The positive control: a marker that should be there is, so the absence checks mean something.
    for (const key of spec.has.filter((k) => !plain.text.includes(MARKERS[k]))) {
      problems.push(`${spec.name}: ${MARKERS[key]} not found in the bundle; the marker check is stale`);
    }
    rows.push([
      spec.name,
      minified.packages.join(", "),
      `${size} B (${kb(size)})`,
      `${gzip} B`,
      `${spec.budget.minified} B / ${spec.budget.gzip} B`,
      ok && leaks.length === 0 ? "ok" : "FAIL",
    ]);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const header = ["bundle", "packages in it", "minified", "min+gzip", "budget (min / gzip)", "result"];
console.log(`| ${header.join(" | ")} |`);
console.log(`|---|---|---:|---:|---:|---|`);
for (const row of rows) console.log(`| ${row.join(" | ")} |`);
if (problems.length > 0) {
  console.error(`\ncheck-size: ${problems.length} problem${problems.length === 1 ? "" : "s"}:`);
  for (const p of problems) console.error(`  - ${p}`);
  process.exitCode = 1;
}
