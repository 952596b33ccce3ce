import { existsSync, readdirSync } from "node:fs";
import { defineConfig } from "vitest/config";

// One vitest project per workspace package that has tests; each inherits the options below.
const projects = ["packages", "examples"]
  .flatMap((group) => readdirSync(group).map((name) => `${group}/${name}`))
  .concat("bench")
  .filter((dir) => existsSync(`${dir}/test`))
  .map((dir) => ({ extends: true as const, test: { root: dir, name: dir.split("/").pop() } }));

export default defineConfig({
  test: {
    projects,
    include: ["test/**/*.test.ts"],
    // Network tests use real servers on loopback; none of them waits on wall-clock decay.
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});
