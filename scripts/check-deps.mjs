// Dependency arrows must point down the layers of DESIGN.md: api imports nothing, kit (shared
// plumbing) only api, selector-core api and kit, balancers and filters api, kit and selector-core,
// registries and transports sit on top.
// @switchyard/api is a peer dependency everywhere (one copy per app), never a plain one.
// Every @switchyard import in src/ is declared, and no package has an import cycle (dpdm).
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { publishedPackages, root } from "./workspace.mjs";

const allowed = {
  api: [],
  kit: ["api"],
  "selector-core": ["api", "kit"],
  "balancer-wrr": ["api", "kit", "selector-core"],
  "balancer-p2c": ["api", "kit", "selector-core"],
  "balancer-random": ["api", "kit", "selector-core"],
  "balancer-hash": ["api", "kit", "selector-core"],
  "filter-version": ["api"],
  "registry-memory": ["api", "kit"],
  "registry-consul": ["api", "kit"],
  "registry-etcd": ["api", "kit"],
  "registry-dns": ["api", "kit"],
  "registry-kubernetes": ["api", "kit"],
  "transport-http": ["api", "kit", "selector-core", "balancer-wrr"],
  "transport-grpc": ["api", "kit", "selector-core", "balancer-wrr"],
  testkit: ["api", "kit"],
  otel: ["api", "kit"],
};

const problems = [];
const scoped = (deps = {}) => Object.keys(deps).filter((d) => d.startsWith("@switchyard/"));

function sourceFiles(dir) {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(".ts"))
    .map((e) => join(e.parentPath ?? e.path, e.name));
}

for (const { dir, name, manifest } of publishedPackages()) {
  const layer = allowed[name];
  if (layer === undefined) {
    problems.push(
      `${manifest.name}: not in the layer table of scripts/check-deps.mjs; add it with its allowed arrows`,
    );
    continue;
  }
  const runtime = [...scoped(manifest.dependencies), ...scoped(manifest.peerDependencies)];
  for (const dep of runtime) {
    if (!layer.includes(dep.slice("@switchyard/".length))) {
      problems.push(
        `${manifest.name} depends on ${dep}: that arrow points up or sideways (allowed: ${layer.join(", ") || "none"})`,
      );
    }
  }
  if (manifest.dependencies?.["@switchyard/api"]) {
    problems.push(
      `${manifest.name}: @switchyard/api must be a peerDependency (plus devDependency), not a dependency`,
    );
  }
  if (name !== "api" && !manifest.peerDependencies?.["@switchyard/api"]) {
    problems.push(`${manifest.name}: missing peerDependency on @switchyard/api`);
  }
  for (const file of sourceFiles(join(dir, "src"))) {
    // Comments may mention imports; only code counts.
    const text = readFileSync(file, "utf8")
      .replace(/\/\*[\s\S]*?\*\//g, "")
      .replace(/^\s*\/\/.*$/gm, "");
    for (const match of text.matchAll(/(?:from|import)\s+"(@switchyard\/[a-z-]+)/g)) {
      if (!runtime.includes(match[1])) {
        problems.push(
          `${file.slice(root.length)} imports ${match[1]}, which ${manifest.name} does not declare`,
        );
      }
    }
  }
  try {
    execFileSync(
      join(root, "node_modules/.bin/dpdm"),
      ["--no-warning", "--no-tree", "--transform", "--exit-code", "circular:1", "src/index.ts"],
      { cwd: dir, stdio: "pipe" },
    );
  } catch (error) {
    problems.push(`${manifest.name}: import cycle\n${error.stdout}`);
  }
}

if (problems.length > 0) {
  console.error(`check-deps: ${problems.length} problem(s)\n- ${problems.join("\n- ")}`);
  process.exit(1);
}
console.log("check-deps: dependency arrows point down, @switchyard/api is a peer everywhere, no cycles");
