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
import { spawn, spawnSync } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { blockKind, fencedBlocks, importsOf, installedBy, parseDirective } from "./doctest/markdown.mjs";
import { parseNeed, startServices } from "./doctest/services.mjs";
import { publishedPackages, root } from "./workspace.mjs";

const RUN_TIMEOUT_MS = 20_000;
const PROTO = join(root, "bench/grpc/helloworld.proto");
const STOP_GRACE_MS = 300;
const STOP_TIMEOUT_MS = 10_000;
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
        `${where}:${block.line}: unknown need "${bad}" (etcd, consul, http@127.0.0.1:<port>, grpc@127.0.0.1:<port>)`,
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

// ---- Exports the README never mentions ----------------------------------------------------------

/** Names exported by `export { … } from` / `export type { … } from` (and plain declarations). */
function exportedNames(source) {
  const names = [];
  for (const match of source.matchAll(/export\s+(?:type\s+)?\{([^}]*)\}/g)) {
    for (const item of match[1].split(",")) {
      const name = item
        .trim()
        .replace(/^type\s+/, "")
        .split(/\s+as\s+/)
        .pop()
        ?.trim();
      if (name) names.push(name);
    }
  }
  for (const match of source.matchAll(
    /export\s+(?:declare\s+)?(?:async\s+)?(?:function\*?|class|const|let|var|interface|type|enum)\s+([A-Za-z_$][\w$]*)/g,
  )) {
    names.push(match[1]);
  }
  return names;
}

function checkExports({ dir, manifest }) {
  const readme = join(dir, "README.md");
  if (!existsSync(readme)) return;
  const text = readFileSync(readme, "utf8");
  for (const key of Object.keys(manifest.exports ?? { ".": null })) {
    if (key === "./package.json") continue;
    const entry = `src/${key === "." ? "index" : key.slice(2)}.ts`;
    if (!existsSync(join(dir, entry))) continue;
    const missing = exportedNames(readFileSync(join(dir, entry), "utf8")).filter(
      (name) => !new RegExp(`(?<![\\w$])${name.replace(/\$/g, "\\$")}(?![\\w$])`).test(text),
    );
    if (missing.length > 0) {
      problems.push(
        `${manifest.name}: README.md never mentions ${missing.join(", ")} (exported by ${entry}): document them, or list them on an "Also exported:" line`,
      );
    }
  }
}

// ---- The user's project ------------------------------------------------------------------------

/** Where a package named on an install line comes from: the workspace package, else its copy the workspace resolves. */
function sourceOf(name, installs) {
  if (name.startsWith("@switchyard/")) return manifests.get(name)?.dir;
  const candidates = [
    ...[...installs]
      .filter((n) => manifests.has(n))
      .map((n) => join(manifests.get(n).dir, "node_modules", name)),
    join(root, "node_modules", name),
    ...[...manifests.values()].map(({ dir }) => join(dir, "node_modules", name)),
    ...readdirSync(join(root, "examples")).map((example) =>
      join(root, "examples", example, "node_modules", name),
    ),
  ];
  const found = candidates.find((candidate) => existsSync(candidate));
  return found === undefined ? undefined : realpathSync(found);
}

function link(target, path) {
  mkdirSync(dirname(path), { recursive: true });
  symlinkSync(target, path, "dir");
}

function writeProject(project, entries) {
  writeFileSync(
    join(project, "package.json"),
    `${JSON.stringify({ private: true, type: "module" }, null, 2)}\n`,
  );
  writeFileSync(
    join(project, "tsconfig.json"),
    JSON.stringify(
      {
        compilerOptions: {
          strict: true,
          module: "node16",
          moduleResolution: "node16",
          target: "es2022",
          types: ["node"],
          skipLibCheck: true,
          noEmitOnError: false,
          forceConsistentCasingInFileNames: true,
        },
        include: ["*/*.ts"],
      },
      null,
      2,
    ),
  );
  link(realpathSync(join(root, "node_modules/@types/node")), join(project, "node_modules/@types/node"));
  for (const { readme, programs, installs } of entries) {
    const folder = join(project, readme.id);
    mkdirSync(folder, { recursive: true });
    for (const name of installs) {
      const source = sourceOf(name, installs);
      if (source === undefined) {
        problems.push(`${relative(root, readme.file)}: installs ${name}, which is not in the workspace`);
        continue;
      }
      link(source, join(folder, "node_modules", name));
    }
    if (programs.some((p) => [...p.needs.values()].some((n) => n.kind === "grpc"))) {
      copyFileSync(PROTO, join(folder, "helloworld.proto"));
    }
    for (const program of programs) {
      program.file = `snippet-L${program.line}${program.vitest ? ".test" : ""}.ts`;
      program.folder = folder;
      program.lineMap = [];
      const lines = [];
      for (const part of program.parts) {
        part.code.forEach((line, index) => {
          lines.push(line);
          program.lineMap.push(part.line + 1 + index);
        });
      }
      lines.push("export {};");
      writeFileSync(join(folder, program.file), `${lines.join("\n")}\n`);
    }
  }
}

/** tsc over every snippet at once; errors are reported at their README line. */
function typecheck(project, byFile) {
  const tsc = join(root, "node_modules/typescript/bin/tsc");
  const result = spawnSync(process.execPath, [tsc, "-p", "tsconfig.json", "--pretty", "false"], {
    cwd: project,
    encoding: "utf8",
  });
  let current;
  for (const line of `${result.stdout}${result.stderr}`.split("\n")) {
    const match = /^(.+?)\((\d+),(\d+)\): (error .*)$/.exec(line);
    if (match !== null) {
      const program = byFile.get(match[1]);
      const readmeLine = program?.lineMap[Number(match[2]) - 1];
      current = program
        ? `${program.where}:${readmeLine ?? `${program.line}+`}: ${match[4]}`
        : `${match[1]}(${match[2]},${match[3]}): ${match[4]}`;
      problems.push(current);
    } else if (line.startsWith(" ") && current !== undefined) {
      problems[problems.length - 1] += `\n    ${line.trim()}`;
    } else if (line.trim() !== "") {
      problems.push(`tsc: ${line}`);
      current = undefined;
    }
  }
  return result.status === 0;
}

// ---- Running ----------------------------------------------------------------------------------

/** Runs one program; resolves to undefined when it behaved, else what went wrong. */
function run(program, env) {
  const command = program.vitest
    ? [join(program.folder, "node_modules/vitest/vitest.mjs"), "run", "--root", program.folder, program.file]
    : [program.file.replace(/\.ts$/, ".js")];
  if (program.vitest && !existsSync(command[0]))
    return Promise.resolve("a vitest snippet, but its README does not install vitest");
  return new Promise((resolve) => {
    const child = spawn(process.execPath, command, {
      cwd: program.folder,
      env: { ...env, NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    let stderr = "";
    let verdict;
    let signalled = false;
    let timer = setTimeout(() => {
      verdict = program.stop
        ? `wrote nothing to stdout within ${RUN_TIMEOUT_MS / 1000} s, so it was never sent ${program.stop}`
        : `still running after ${RUN_TIMEOUT_MS / 1000} s`;
      child.kill("SIGKILL");
    }, RUN_TIMEOUT_MS);
    child.stdout.on("data", (chunk) => {
      output += chunk;
      if (program.stop === undefined || signalled) return;
      signalled = true;
      clearTimeout(timer);
      // A grace period, so that the code after the print (such as the signal handler a snippet
      // installs just after it) has run when the signal lands.
      timer = setTimeout(() => {
        child.kill(program.stop);
        timer = setTimeout(() => {
          verdict = `still running ${STOP_TIMEOUT_MS / 1000} s after ${program.stop}`;
          child.kill("SIGKILL");
        }, STOP_TIMEOUT_MS);
      }, STOP_GRACE_MS);
    });
    child.stderr.on("data", (chunk) => {
      output += chunk;
      stderr += chunk;
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (verdict === undefined && (code !== 0 || signal !== null)) {
        verdict = `exited with ${signal ?? `code ${code}`}`;
      }
      if (verdict === undefined && !program.vitest && /^\s+at .+/m.test(stderr)) {
        verdict = "printed a stack trace on stderr";
      }
      const tail = output.trimEnd().split("\n").slice(-15).join("\n    ");
      resolve(verdict === undefined ? undefined : `${verdict}; its output:\n    ${tail || "(none)"}`);
    });
  });
}

// ---- Main -------------------------------------------------------------------------------------

const entries = readmes.map((readme) => ({ readme, ...programsOf(readme) }));
for (const { readme, programs, installs } of entries) checkInstallLines(readme, programs, installs);
for (const pkg of publishedPackages()) {
  if (only.size === 0 || only.has(pkg.name)) checkExports(pkg);
}

const programs = entries.flatMap((entry) => entry.programs);
const project = mkdtempSync(join(tmpdir(), "switchyard-readmes-"));
let failed = 0;
try {
  writeProject(project, entries);
  const byFile = new Map(programs.map((p) => [`${p.readme.id}/${p.file}`, p]));
  typecheck(project, byFile);

  const needs = new Map(programs.flatMap((p) => [...p.needs]));
  const services = await startServices(needs.values(), { root, protoFile: PROTO });
  try {
    const env = { ...process.env };
    for (const key of ["CONSUL_HTTP_ADDR", "CONSUL_HTTP_TOKEN", "CONSUL_HTTP_TOKEN_FILE", "NODE_OPTIONS"])
      delete env[key];
    for (const program of programs) {
      const began = performance.now();
      const problem = await run(program, { ...env, ...services.envOf(program.needs.keys()) });
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
