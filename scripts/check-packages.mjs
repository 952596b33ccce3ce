// What users hit when they install a package: a well-formed manifest (exports with types for
// import and require, sideEffects false, files, engines), a README that starts with the install
// line, an index that re-exports by name, and the published tarball checked by publint --strict
// and @arethetypeswrong/cli. Run after `pnpm build`.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { publishedPackages, root } from "./workspace.mjs";

const problems = [];
const bin = (name) => join(root, "node_modules/.bin", name);

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
  run(bin("publint"), ["--strict"], pkg.dir, `${pkg.manifest.name}: publint --strict`);
  run(bin("attw"), ["--pack", ".", "--format", "ascii"], pkg.dir, `${pkg.manifest.name}: attw --pack`);
}

if (problems.length > 0) {
  console.error(`check-packages: ${problems.length} problem(s)\n- ${problems.join("\n- ")}`);
  process.exit(1);
}
console.log(`check-packages: ${publishedPackages().length} packages well formed (publint --strict, attw)`);
