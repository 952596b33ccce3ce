import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: ["packages/*", "examples/*", "bench"],
    // Network tests use real servers on loopback; none of them waits on wall-clock decay.
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});
