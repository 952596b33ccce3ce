// Run after `changeset version`: copies the package.json version of the packages that state their
// own version in code into their src/version.ts: @switchyard/api (the global selector slot's
// compatibility check) and @switchyard/otel (the instrumentation's version).
import { readFileSync, writeFileSync } from "node:fs";

for (const name of ["api", "otel"]) {
  const root = new URL(`../packages/${name}/`, import.meta.url);
  const { version } = JSON.parse(readFileSync(new URL("package.json", root), "utf8"));
  const file = new URL("src/version.ts", root);
  const source = readFileSync(file, "utf8");
  const next = source.replace(/export const VERSION = "[^"]*";/, `export const VERSION = "${version}";`);
  if (next !== source) {
    writeFileSync(file, next);
    console.log(`packages/${name}/src/version.ts: VERSION = "${version}"`);
  }
}
