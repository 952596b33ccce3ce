// The one build configuration every published package uses (`tsup --config ../../tsup.config.ts`).
// Switching builders (tsdown is tsup's successor) is a change to this file alone.
// Entries come from the package's `exports` map: "." builds src/index.ts, "./x" builds src/x.ts.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { defineConfig } from "tsup";

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

export default defineConfig({
  entry: entries(),
  format: ["esm", "cjs"],
  dts: true,
  clean: true,
  sourcemap: true,
  target: "node20",
  platform: "node",
  treeshake: true,
  splitting: false,
  minify: false,
});
