// Reading a README the way the doc-test needs it: its fenced code blocks with the directive comment
// before each, its `npm i` lines, and the packages a snippet imports.
import { builtinModules } from "node:module";

/** Fences whose code is run; `SHELL` fences are read for install lines only; others are prose. */
export const RUNNABLE = new Set(["ts", "typescript"]);
const SHELL = new Set(["sh", "bash", "shell", "console"]);
/** Code a reader would take for runnable JavaScript: refused, so nothing escapes the doc-test. */
const UNCHECKED_CODE = new Set(["js", "javascript", "mjs", "cjs", "jsx", "tsx"]);

const DIRECTIVE = /^<!--\s*doctest:(.*?)-->\s*$/;

/**
 * The fenced blocks of `text`: `{ lang, line, code, directive }`, `line` being the 1-based line of
 * the opening fence and `directive` the text of a `<!-- doctest: … -->` comment on the last
 * non-blank line before it (or undefined).
 */
export function fencedBlocks(text) {
  const lines = text.split("\n");
  const blocks = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([\w-]*)/.exec(lines[i]);
    if (open === null) continue;
    const [, indent, fence, lang] = open;
    let end = i + 1;
    while (end < lines.length && !lines[end].trimStart().startsWith(fence)) end++;
    const code = lines.slice(i + 1, end).map((l) => (l.startsWith(indent) ? l.slice(indent.length) : l));
    let before = i - 1;
    while (before >= 0 && lines[before].trim() === "") before--;
    const comment = before >= 0 ? DIRECTIVE.exec(lines[before].trim()) : null;
    blocks.push({ lang: lang.toLowerCase(), line: i + 1, code, directive: comment?.[1].trim() });
    i = end;
  }
  return blocks;
}

/** Whether a block is run, read for install lines, ignored, or refused. */
export function blockKind(lang) {
  if (RUNNABLE.has(lang)) return "run";
  if (SHELL.has(lang)) return "shell";
  if (UNCHECKED_CODE.has(lang)) return "refused";
  return "prose";
}

/**
 * `continues`, `vitest`, `stop=SIGTERM`, `needs=a,b`: returns `{ continues, vitest, stop, needs }`
 * or throws naming what it does not understand.
 */
export function parseDirective(text) {
  const result = { continues: false, vitest: false, stop: undefined, needs: [] };
  for (const word of (text ?? "").split(/\s+/).filter(Boolean)) {
    const [key, value] = word.split("=", 2);
    if (key === "continues" && value === undefined) result.continues = true;
    else if (key === "vitest" && value === undefined) result.vitest = true;
    else if (key === "stop" && /^SIG[A-Z]+$/.test(value ?? "")) result.stop = value;
    else if (key === "needs" && value) result.needs.push(...value.split(","));
    else throw new Error(`unknown doctest directive "${word}" (continues, vitest, stop=SIGTERM, needs=…)`);
  }
  return result;
}

/** The package names of every `npm i`/`npm install` command in shell code. */
export function installedBy(code) {
  const names = [];
  for (const raw of code) {
    const line = raw.replace(/^\s*\$\s*/, "").replace(/\s#.*$/, "");
    const match = /^\s*npm\s+(?:i|install|add)\s+(.*)$/.exec(line);
    if (match === null) continue;
    for (const arg of match[1].split(/\s+/).filter(Boolean)) {
      if (arg.startsWith("-")) continue;
      names.push(packageName(arg.replace(/(.)@[^/]*$/, "$1")));
    }
  }
  return names;
}

/** `@scope/name/sub` → `@scope/name`, `name/sub` → `name`. */
export function packageName(specifier) {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}

const builtins = new Set(builtinModules);

/** The packages (not built-ins, not relative paths) a snippet imports, with the line index of each. */
export function importsOf(code) {
  const text = code.join("\n");
  const patterns = [
    /^\s*(?:import|export)\s[^"';]*?\bfrom\s*["']([^"']+)["']/gm,
    /^\s*import\s*["']([^"']+)["']/gm,
    /\bimport\(\s*["']([^"']+)["']\s*\)/g,
    /\brequire\(\s*["']([^"']+)["']\s*\)/g,
  ];
  const found = [];
  for (const pattern of patterns) {
    for (const match of text.matchAll(pattern)) {
      const specifier = match[1];
      if (specifier.startsWith(".") || specifier.startsWith("node:") || builtins.has(specifier)) continue;
      const at = match.index + match[0].lastIndexOf(specifier);
      found.push({ name: packageName(specifier), index: text.slice(0, at).split("\n").length - 1 });
    }
  }
  return found;
}
