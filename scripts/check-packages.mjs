// What users hit when they install a package: a well-formed manifest (exports with types for
// import and require, sideEffects false, files, engines, where the code lives and where to report
// bugs, third-party peers optional where an entry point does without them), a README that starts
// with the install line and whose links work on npm, an index that re-exports by name, built
// classes that keep their names, and the published tarball checked by publint --strict and
// @arethetypeswrong/cli. Run after `pnpm build`.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { publishedPackages, root } from "./workspace.mjs";

const problems = [];
const bin = (name) => join(root, "node_modules/.bin", name);

const REPOSITORY = "https://github.com/switchyard-dev/switchyard";

/** `repository` (with the package's folder), `homepage` and `bugs`, as npm shows them. */
function checkLinksOut({ manifest, name }) {
  const where = manifest.name;
  const repository = manifest.repository;
  if (
    repository?.type !== "git" ||
    repository.url !== `git+${REPOSITORY}.git` ||
    repository.directory !== `packages/${name}`
  ) {
    problems.push(
      `${where}: "repository" must be { "type": "git", "url": "git+${REPOSITORY}.git", "directory": "packages/${name}" }`,
    );
  }
  const homepage = `${REPOSITORY}/tree/main/packages/${name}#readme`;
  if (manifest.homepage !== homepage) problems.push(`${where}: "homepage" must be "${homepage}"`);
  if (manifest.bugs?.url !== `${REPOSITORY}/issues`)
    problems.push(`${where}: "bugs" must be { "url": "${REPOSITORY}/issues" }`);
}

/**
 * A third-party peer that one of the package's entry points does not import is optional, so a user
 * of that entry point alone is not made to install it (testkit's Consul double needs no vitest).
 */
function checkOptionalPeers({ dir, manifest }) {
  // The ESM entry points of the exports map, each with every module it reaches (dist/ holds one
  // file per source module).
  const entries = Object.entries(manifest.exports ?? {})
    .filter(([key]) => key !== "./package.json")
    .map(([, entry]) => entry?.import?.default)
    .filter((file) => typeof file === "string");
  for (const peer of Object.keys(manifest.peerDependencies ?? {})) {
    if (peer.startsWith("@switchyard/") || manifest.peerDependenciesMeta?.[peer]?.optional) continue;
    const importer = new RegExp(`from ["']${peer.replace(/[/.]/g, "\\$&")}(/[^"']*)?["']`);
    for (const entry of entries) {
      if (!reachable(dir, entry).some((file) => importer.test(readFileSync(file, "utf8")))) {
        problems.push(
          `${manifest.name}: ${entry} does not import its peer ${peer}: mark it optional in "peerDependenciesMeta"`,
        );
      }
    }
  }
}

/** The module `entry` (relative to `dir`) and every module it imports by a relative path. */
function reachable(dir, entry) {
  const seen = new Set([join(dir, entry)]);
  for (const file of seen) {
    if (!existsSync(file)) continue;
    for (const match of readFileSync(file, "utf8").matchAll(/(?:from|import)\s*["'](\.{1,2}\/[^"']+)["']/g)) {
      seen.add(join(file, "..", match[1]));
    }
  }
  return [...seen].filter((file) => existsSync(file));
}

/** No `class _Name`: esbuild's inner name for a self-referencing class, seen in stack traces. */
function checkClassNames({ dir, manifest }) {
  for (const file of readdirSync(join(dir, "dist")).filter((f) => /\.c?js$/.test(f))) {
    for (const match of readFileSync(join(dir, "dist", file), "utf8").matchAll(
      /= class (_[A-Za-z$][\w$]*)/g,
    )) {
      problems.push(
        `${manifest.name}: dist/${file} names a class ${match[1]} (see classNames in tsup.config.ts)`,
      );
    }
  }
}

/**
 * npm shows the README without the repository around it, so a relative link there is dead: links
 * and images in a package README are absolute (https://…, or #anchors within the README).
 */
function checkReadmeLinks({ dir, manifest }) {
  const readme = join(dir, "README.md");
  if (!existsSync(readme)) return;
  // Code (fenced and inline) is not markup: `a[i](x)` in a snippet is no link.
  const text = readFileSync(readme, "utf8")
    .replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, "")
    .replace(/`[^`\n]*`/g, "");
  const targets = [
    ...[...text.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]),
    ...[...text.matchAll(/^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/gm)].map((m) => m[1]),
    ...[...text.matchAll(/\b(?:href|src)\s*=\s*["']([^"']+)["']/g)].map((m) => m[1]),
  ];
  for (const target of targets) {
    if (/^(https?:|mailto:|#)/.test(target)) continue;
    problems.push(
      `${manifest.name}: README.md links to "${target}", dead on npm; use ${REPOSITORY}/tree/main/… (or /blob/main/ for a file)`,
    );
  }
}

function checkManifest({ dir, manifest }) {
  const where = manifest.name;
  if (manifest.sideEffects !== false) problems.push(`${where}: "sideEffects" must be false`);
  if (JSON.stringify(manifest.files) !== JSON.stringify(["dist"]))
    problems.push(`${where}: "files" must be ["dist"]`);
  if (manifest.engines?.node !== ">=20") problems.push(`${where}: "engines.node" must be ">=20"`);
  if (manifest.license !== "MIT") problems.push(`${where}: "license" must be "MIT"`);
  if (manifest.exports?.["./package.json"] !== "./package.json")
    problems.push(`${where}: exports "./package.json" missing`);
  for (const [key, entry] of Object.entries(manifest.exports ?? {})) {
    if (key === "./package.json") continue;
    for (const condition of ["import", "require"]) {
      if (typeof entry?.[condition]?.types !== "string") {
        problems.push(`${where}: exports["${key}"].${condition} needs its own nested "types"`);
      }
    }
  }
  const readme = join(dir, "README.md");
  if (!existsSync(readme)) problems.push(`${where}: README.md missing`);
  else if (!new RegExp(`npm i (-D )?${manifest.name}`).test(readFileSync(readme, "utf8"))) {
    problems.push(`${where}: README.md must show the install line \`npm i ${manifest.name}\``);
  }
  const index = join(dir, "src/index.ts");
  if (existsSync(index) && /export \*/.test(readFileSync(index, "utf8"))) {
    problems.push(`${where}: src/index.ts must list its exports by name, not export *`);
  }
}

function run(command, args, cwd, label) {
  try {
    execFileSync(command, args, { cwd, stdio: "pipe", encoding: "utf8" });
  } catch (error) {
    problems.push(`${label} failed:\n${error.stdout ?? ""}${error.stderr ?? ""}`);
  }
}

for (const pkg of publishedPackages()) {
  checkManifest(pkg);
  checkLinksOut(pkg);
  checkOptionalPeers(pkg);
  checkClassNames(pkg);
  checkReadmeLinks(pkg);
  run(bin("publint"), ["--strict"], pkg.dir, `${pkg.manifest.name}: publint --strict`);
  run(bin("attw"), ["--pack", ".", "--format", "ascii"], pkg.dir, `${pkg.manifest.name}: attw --pack`);
}

if (problems.length > 0) {
  console.error(`check-packages: ${problems.length} problem(s)\n- ${problems.join("\n- ")}`);
  process.exit(1);
}
console.log(`check-packages: ${publishedPackages().length} packages well formed (publint --strict, attw)`);
