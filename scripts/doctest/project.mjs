// The project a user would have: one folder per README, its node_modules holding only what the
// README's install lines name, linked to the built workspace packages (their own dependencies
// resolve as published); and tsc over every snippet of it at once.
import { spawnSync } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  realpathSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, relative } from "node:path";

/** Where a package named on an install line comes from: the workspace package, else its copy the workspace resolves. */
function sourceOf(name, installs, { root, manifests }) {
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

/**
 * Writes the user's project: a package.json, a tsconfig as a careful user would have it, and per
 * README a folder whose node_modules links what its install lines name, with one file per program
 * (`program.file`, `program.folder` and `program.lineMap`, README line per file line, are set on it).
 * Returns the problems met (a package the workspace does not have).
 */
export function writeProject(project, entries, { root, manifests, proto }) {
  const problems = [];
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
          // As `tsc --init` has it: the snippets are what is checked, not the declarations of
          // third-party packages (attw checks that ours resolve).
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
      const source = sourceOf(name, installs, { root, manifests });
      if (source === undefined) {
        problems.push(`${relative(root, readme.file)}: installs ${name}, which is not in the workspace`);
        continue;
      }
      link(source, join(folder, "node_modules", name));
    }
    if (programs.some((p) => [...p.needs.values()].some((n) => n.kind === "grpc"))) {
      copyFileSync(proto, join(folder, "helloworld.proto"));
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
  return problems;
}

/** tsc over every snippet at once; errors are reported at their README line. */
export function typecheck(project, programs, { root }) {
  const byFile = new Map(programs.map((p) => [`${p.readme.id}/${p.file}`, p]));
  const problems = [];
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
  return problems;
}
