// Run after `changeset version`: copies @switchyard/api's package.json version into
// packages/api/src/version.ts, which the global selector slot uses for its compatibility check.
import { readFileSync, writeFileSync } from "node:fs";

const root = new URL("../packages/api/", import.meta.url);
const { version } = JSON.parse(readFileSync(new URL("package.json", root), "utf8"));
const file = new URL("src/version.ts", root);
const source = readFileSync(file, "utf8");
const next = source.replace(/export const VERSION = "[^"]*";/, `export const VERSION = "${version}";`);
if (next !== source) {
  writeFileSync(file, next);
  console.log(`packages/api/src/version.ts: VERSION = "${version}"`);
}
