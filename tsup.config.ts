// The one build configuration every published package uses (`tsup --config ../../tsup.config.ts`).
// Switching builders (tsdown is tsup's successor) is a change to this file alone.
import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/index.ts"],
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
