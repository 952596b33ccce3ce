// The one build configuration every published package uses (`tsup --config ../../tsup.config.ts`).
// Switching builders (tsdown is tsup's successor) is a change to this file alone.
// Entries come from the package's `exports` map: "." builds src/index.ts, "./x" builds src/x.ts.
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { defineConfig, type Options } from "tsup";

type Plugin = NonNullable<Options["plugins"]>[number];

function entries(): Record<string, string> {
  const manifest = JSON.parse(readFileSync(join(process.cwd(), "package.json"), "utf8")) as {
    exports?: Record<string, unknown>;
  };
  const result: Record<string, string> = {};
  for (const key of Object.keys(manifest.exports ?? { ".": null })) {
    if (key === "./package.json") continue;
    const name = key === "." ? "index" : key.slice(2);
    result[name] = `src/${name}.ts`;
  }
  return result;
}

/**
 * Classes keep their own names. A class that refers to itself in its body (`super(X.CODE)`) is
 * emitted by esbuild as `var X = class _X { … _X.CODE … }`, so stack traces and
 * `constructor.name` said `_X`. This gives the inner binding the class's own name back
 * (`var X = class  X { …  X.CODE … }`): the inner binding still shadows the outer one inside
 * the body, so behaviour is unchanged, and the replacement keeps every column, so source maps stay
 * exact. esbuild's `keepNames` does it too, but through a `static { __name(this) }` block and
 * `__name(fn)` calls that a consumer's bundler cannot prove side-effect free: every class and
 * function then survives tree-shaking (a wrr-only bundle grew from 9.3 kB to 29.7 kB and carried
 * p2c's `EwmaNode`), against the promise that a consumer pays only for what it imports.
 */
function classNames(): Plugin {
  return {
    name: "class-names",
    renderChunk(code, info) {
      if (!/\.(c|m)?js$/.test(info.path)) return;
      const renamed = [...code.matchAll(/\b(?:var|let|const) ([A-Za-z$][\w$]*) = class _\1\b/g)].map(
        (match) => match[1] as string,
      );
      if (renamed.length === 0) return;
      let result = code;
      for (const name of renamed) {
        result = result.replace(
          new RegExp(`(?<![\\w$.])_${name.replace(/\$/g, "\\$")}(?![\\w$])`, "g"),
          ` ${name}`,
        );
      }
      return { code: result };
    },
  };
}

// Each package's dist/ is written by the two builds below; clear it once, before both start.
rmSync(join(process.cwd(), "dist"), { recursive: true, force: true });

const shared: Options = {
  // Source maps, without the sources embedded in them. With `sourcesContent` they were 60–68% of
  // every package: a second copy of code that ships beside them anyway, unminified and readable.
  // What a map adds is the original file and line (`src/p2c.ts:57` under
  // `node --enable-source-maps`), which a bug report can point at in this repository; and in the
  // workspace, where `src/` sits beside `dist/`, debuggers and coverage map a dependency's code back
  // to its TypeScript.
  sourcemap: true,
  esbuildOptions(options) {
    options.sourcesContent = false;
  },
  plugins: [classNames()],
  target: "node20",
  platform: "node",
  clean: false,
  minify: false,
};

export default defineConfig([
  // ESM, one output file per source file. With "sideEffects": false, an application's bundler then
  // drops every module it does not reach: `import { wrr }` leaves ewma, p2c's helpers, the resolver
  // loop and kit's secret handling behind. A package bundled into one file can only be tree-shaken
  // statement by statement, and a module-level `Object.freeze(...)` or a class with a computed
  // `Symbol.for` key is kept because a bundler cannot prove it free of side effects.
  {
    ...shared,
    entry: ["src/**/*.ts"],
    format: ["esm"],
    bundle: false,
    dts: { entry: entries() },
  },
  // CommonJS, one file per entry point (require() loads everything it is given anyway).
  {
    ...shared,
    entry: entries(),
    format: ["cjs"],
    dts: true,
    treeshake: true,
    splitting: false,
  },
]);
