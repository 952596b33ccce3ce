// Every name a package exports appears in its README: documented where it belongs, or listed on an
// "Also exported:" line, so nothing a user can import is a secret.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** Names exported by `export { … } from` / `export type { … } from` (and plain declarations). */
export function exportedNames(source) {
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

/**
 * What a package's README never mentions of what its entry points export (src/index.ts, and
 * src/<entry>.ts for each other entry of its `exports` map): one problem per entry point.
 */
export function unmentionedExports({ dir, manifest }) {
  const problems = [];
  const readme = join(dir, "README.md");
  if (!existsSync(readme)) return problems;
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
  return problems;
}
