// Shared by the check scripts: the published packages of the workspace and their manifests.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export const root = new URL("..", import.meta.url).pathname;

/** Every package under packages/ that is not private: { dir, manifest }. */
export function publishedPackages() {
  return readdirSync(join(root, "packages"), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => {
      const dir = join(root, "packages", entry.name);
      const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
      return { dir, name: entry.name, manifest };
    })
    .filter((pkg) => !pkg.manifest.private);
}
