// Renders the demo's HTML report in headless Chromium and saves a PNG, to look at the report as a
// browser shows it. Not part of CI (Chromium is not on CI machines).
//
//   pnpm demo && node examples/demo/scripts/screenshot.mjs [report.html] [out.png] [--size 1400x3400]
//
// Uses $CHROMIUM, else the first of chromium, chromium-browser, google-chrome on the PATH.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const args = process.argv.slice(2);
const sizeAt = args.indexOf("--size");
const size = sizeAt === -1 ? "1400x3400" : args.splice(sizeAt, 2)[1];
if (!/^\d+x\d+$/.test(size ?? "")) {
  console.error(`screenshot: --size must be WIDTHxHEIGHT in pixels, such as 1400x3000, got "${size}"`);
  process.exit(2);
}
const report = resolve(args[0] ?? fileURLToPath(new URL("../out/report.html", import.meta.url)));
const png = resolve(args[1] ?? report.replace(/\.html$/, "") + ".png");
if (!existsSync(report)) {
  console.error(`screenshot: no report at ${report}; run \`pnpm demo\` first (or give the report's path)`);
  process.exit(2);
}

function findChromium() {
  const candidates = process.env.CHROMIUM
    ? [process.env.CHROMIUM]
    : ["chromium", "chromium-browser", "google-chrome"];
  return candidates.find((name) => spawnSync(name, ["--version"], { stdio: "ignore" }).status === 0);
}

const chromium = findChromium();
if (chromium === undefined) {
  console.error(
    "screenshot: Chromium was not found (set CHROMIUM to its path, or install it: on Debian or Ubuntu " +
      "`sudo apt-get install -y chromium`, on macOS `brew install --cask chromium`); the report itself " +
      `is at ${report}`,
  );
  process.exit(1);
}

// A fresh profile and no background traffic: the report needs no network, and a sandboxed machine
// refuses Chromium's own connections.
const profile = mkdtempSync(join(tmpdir(), "switchyard-demo-chromium-"));
const flags = [
  "--headless",
  "--disable-gpu",
  "--hide-scrollbars",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  `--user-data-dir=${profile}`,
  `--window-size=${size.replace("x", ",")}`,
  `--screenshot=${png}`,
];
if (process.getuid?.() === 0) flags.push("--no-sandbox");
const run = spawnSync(chromium, [...flags, pathToFileURL(report).href], {
  encoding: "utf8",
  timeout: 60_000,
});
rmSync(profile, { recursive: true, force: true });
if (run.status !== 0 || !existsSync(png)) {
  console.error(`screenshot: ${chromium} failed (exit ${run.status ?? run.signal}):\n${run.stderr}`);
  process.exit(1);
}
console.log(`screenshot: ${png}`);
