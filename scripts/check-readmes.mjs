// The doc-test: what the READMEs promise a newcomer, checked the way a newcomer meets it. Run after
// `pnpm build` (CI runs it in `pnpm test`); `node scripts/check-readmes.mjs [--keep] [folder…]`
// checks only the READMEs of the given package folders (`api`, `transport-http`; `.` for the root
// README), and with --keep leaves the temporary project in place to run a snippet by hand.
//
// - Every ```ts snippet of README.md and packages/*/README.md is typechecked as a user's project
//   would (strict, module and moduleResolution node16, @types/node, the default libs) and run with
//   node. It must exit 0 with no stack trace on stderr. Each README gets a folder of its own in a
//   temporary project whose node_modules holds only what the README's `npm i` lines install, linked
//   to the built workspace packages (their own dependencies resolve as published; no network).
// - Every package a snippet imports is on an `npm i` line of its README, and so is every peer
//   of a Switchyard package there (`@switchyard/api`). Shell snippets are not run.
// - Every name a package's entry points export (src/index.ts, src/<entry>.ts) appears in its README:
//   documented, or listed on an "Also exported:" line.
// - js/jsx/tsx fences are refused: a snippet is ts (checked and run) or prose (`text`, `sh`).
//
// A snippet that needs something running says so in an HTML comment right before its fence, which
// GitHub and npm do not render:
//
//   <!-- doctest: needs=etcd,http@127.0.0.1:8000 -->   services, see scripts/doctest/services.mjs
//   <!-- doctest: continues -->     the snippet goes on from the one before it (one program)
//   <!-- doctest: vitest -->        the snippet is a test file: run with vitest from the README's
//                                   install line
//   <!-- doctest: stop=SIGTERM -->  the snippet serves until stopped: 0.3 s after it first writes
//                                   to stdout it gets the signal, and must then exit 0 by itself
//
// Prefer a short self-contained snippet to a directive.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { unmentionedExports } from "./doctest/exports.mjs";
import { blockKind, fencedBlocks, importsOf, installedBy, parseDirective } from "./doctest/markdown.mjs";
import { typecheck, writeProject } from "./doctest/project.mjs";
import { runProgram } from "./doctest/run.mjs";
import { parseNeed, startServices } from "./doctest/services.mjs";
import { publishedPackages, root } from "./workspace.mjs";

const PROTO = join(root, "bench/grpc/helloworld.proto");
const started = performance.now();
const problems = [];

// ---- What to check ----------------------------------------------------------------------------

const keep = process.argv.includes("--keep");
const only = new Set(
  process.argv
    .slice(2)
    .filter((arg) => arg !== "--keep")
    .map((arg) => arg.replace(/^packages\//, "").replace(/\/$/, "")),
);
const readmes = [{ id: "root", folder: ".", file: join(root, "README.md") }]
  .concat(
    readdirSync(join(root, "packages"), { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && existsSync(join(root, "packages", entry.name, "README.md")))
      .map((entry) => ({
        id: entry.name,
        folder: entry.name,
        file: join(root, "packages", entry.name, "README.md"),
      })),
  )
  .filter((readme) => only.size === 0 || only.has(readme.folder));

/** The workspace's packages by npm name: `{ dir, manifest }`. */
const manifests = new Map();
for (const name of readdirSync(join(root, "packages"))) {
  const file = join(root, "packages", name, "package.json");
  if (!existsSync(file)) continue;
  const manifest = JSON.parse(readFileSync(file, "utf8"));
  manifests.set(manifest.name, { dir: dirname(file), manifest });
}

// ---- Snippets, install lines, imports ---------------------------------------------------------

/** One program per snippet, or per chain of `continues` snippets. */
function programsOf(readme) {
  const where = relative(root, readme.file);
  const programs = [];
  const installs = new Set();
  for (const block of fencedBlocks(readFileSync(readme.file, "utf8"))) {
    const kind = blockKind(block.lang);
    if (kind === "shell") for (const name of installedBy(block.code)) installs.add(name);
    if (kind === "refused") {
      problems.push(
        `${where}:${block.line}: a \`${block.lang}\` fence is neither checked nor run; write the snippet as \`ts\`, or mark it \`text\``,
      );
    }
    if (kind !== "run") {
      if (block.directive !== undefined)
        problems.push(`${where}:${block.line}: a doctest directive on a fence that is not run`);
      continue;
    }
    let directive;
    try {
      directive = parseDirective(block.directive);
    } catch (error) {
      problems.push(`${where}:${block.line}: ${error.message}`);
      continue;
    }
    const needs = directive.needs.map((item) => parseNeed(item) ?? item);
    for (const bad of needs.filter((need) => typeof need === "string")) {
      problems.push(
        `${where}:${block.line}: unknown need "${bad}" (etcd, consul, dns, http@127.0.0.1:<port>, grpc@127.0.0.1:<port>)`,
      );
    }
    const part = { line: block.line, code: block.code };
    const previous = programs.at(-1);
    if (directive.continues) {
      if (previous === undefined) {
        problems.push(`${where}:${block.line}: "continues" but no snippet comes before it`);
        continue;
      }
      previous.parts.push(part);
      for (const need of needs) if (typeof need !== "string") previous.needs.set(need.key, need);
      previous.stop ??= directive.stop;
      previous.vitest ||= directive.vitest;
      continue;
    }
    programs.push({
      readme,
      where,
      line: block.line,
      parts: [part],
      needs: new Map(needs.filter((n) => typeof n !== "string").map((n) => [n.key, n])),
      stop: directive.stop,
      vitest: directive.vitest,
    });
  }
  return { programs, installs };
}

/** Imports missing from the install lines; Switchyard peers missing from them too. */
function checkInstallLines(readme, programs, installs) {
  const where = relative(root, readme.file);
  for (const program of programs) {
    for (const part of program.parts) {
      for (const { name, index } of importsOf(part.code)) {
        if (installs.has(name)) continue;
        problems.push(
          installs.size === 0
            ? `${where}:${part.line + 1 + index}: imports ${name}, but the README has no \`npm i\` line`
            : `${where}:${part.line + 1 + index}: imports ${name}, which its \`npm i\` line does not install (npm i ${[...installs].join(" ")})`,
        );
      }
    }
  }
  for (const name of installs) {
    const manifest = manifests.get(name)?.manifest;
    for (const peer of Object.keys(manifest?.peerDependencies ?? {})) {
      if (installs.has(peer) || manifest.peerDependenciesMeta?.[peer]?.optional) continue;
      problems.push(`${where}: the \`npm i\` line installs ${name} but not its peer ${peer}`);
    }
  }
}

// ---- Main -------------------------------------------------------------------------------------

const entries = readmes.map((readme) => ({ readme, ...programsOf(readme) }));
for (const { readme, programs, installs } of entries) checkInstallLines(readme, programs, installs);
for (const pkg of publishedPackages()) {
  if (only.size === 0 || only.has(pkg.name)) problems.push(...unmentionedExports(pkg));
}

const programs = entries.flatMap((entry) => entry.programs);
const project = mkdtempSync(join(tmpdir(), "switchyard-readmes-"));
let failed = 0;
try {
  problems.push(...writeProject(project, entries, { root, manifests, proto: PROTO }));
  problems.push(...typecheck(project, programs, { root }));

  const needs = new Map(programs.flatMap((p) => [...p.needs]));
  const services = await startServices(needs.values(), { root, protoFile: PROTO });
  try {
    const env = { ...process.env };
    for (const key of ["CONSUL_HTTP_ADDR", "CONSUL_HTTP_TOKEN", "CONSUL_HTTP_TOKEN_FILE", "NODE_OPTIONS"])
      delete env[key];
    for (const program of programs) {
      const began = performance.now();
      const problem = await runProgram(program, { ...env, ...services.envOf(program.needs.keys()) });
      const took = `${((performance.now() - began) / 1000).toFixed(1)} s`;
      console.log(`${problem === undefined ? "ok  " : "FAIL"} ${program.where}:${program.line} (${took})`);
      if (problem !== undefined) {
        failed++;
        problems.push(`${program.where}:${program.line}: the snippet ${problem}`);
      }
    }
  } finally {
    await services.stop();
  }
} catch (error) {
  problems.push(String(error?.stack ?? error));
} finally {
  if (keep) console.log(`check-readmes: the project is kept in ${project}`);
  else rmSync(project, { recursive: true, force: true });
}

const seconds = ((performance.now() - started) / 1000).toFixed(1);
if (problems.length > 0) {
  console.error(
    `\ncheck-readmes: ${problems.length} problem${problems.length === 1 ? "" : "s"} (${failed} of ${programs.length} snippet programs failed to run; ${seconds} s):`,
  );
  for (const problem of problems) console.error(`  - ${problem}`);
  process.exitCode = 1;
} else {
  console.log(
    `check-readmes: ${programs.length} snippet programs of ${readmes.length} READMEs typechecked and run, install lines and exports checked (${seconds} s)`,
  );
}
