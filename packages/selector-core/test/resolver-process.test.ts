// What a resolver does to the life of a process, run in a child process against the built package:
// an awaited ready() keeps the process alive until it settles; the watch loop alone never does.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const dist = fileURLToPath(new URL("../dist/index.js", import.meta.url));

/** Runs an ES module script; a process that hangs is killed at the timeout (status null). */
function run(body: string) {
  const script = `
    import { createResolver } from ${JSON.stringify(dist)};
    const silent = { warn() {} };
    // A registry that never answers: next() stays pending, no timer, no socket.
    const silentDiscovery = {
      async getService() { return []; },
      watch: () => ({ next: () => new Promise(() => {}), async stop() {}, [Symbol.asyncIterator]() { return this; } }),
    };
    // A registry that fails every watch at once, so the resolver keeps scheduling retries.
    const failingDiscovery = {
      async getService() { return []; },
      watch() { throw new Error("registry unreachable"); },
    };
    ${body}
  `;
  return spawnSync(process.execPath, ["--input-type=module", "-e", script], {
    encoding: "utf8",
    timeout: 15_000,
  });
}

describe("createResolver and the process", () => {
  it("keeps the process alive while ready() is awaited, and rejects with ResolveTimeoutError at the timeout", () => {
    // Without a hold, Node exits with code 13 (unsettled top-level await) as soon as the watch
    // waits; a hold kept after ready() settled would keep the child running until it is killed.
    const child = run(`
      const resolver = createResolver({
        discovery: silentDiscovery, serviceName: "helloworld", family: "http", logger: silent, onUpdate() {},
      });
      const started = performance.now();
      try {
        await resolver.ready({ timeoutMs: 300 });
        console.log("ready");
      } catch (error) {
        console.log(error.name, error.code, performance.now() - started >= 290);
      }
    `);
    expect(child.stderr).toBe("");
    expect(child.stdout.trim()).toBe("ResolveTimeoutError RESOLVE_TIMEOUT true");
    expect(child.status).toBe(0);
  });

  it("lets the process exit while nobody awaits it, even with a retry pending", () => {
    const child = run(`
      createResolver({ discovery: silentDiscovery, serviceName: "a", family: "http", logger: silent, onUpdate() {} });
      createResolver({ discovery: failingDiscovery, serviceName: "b", family: "http", logger: silent, onUpdate() {} });
      console.log("done");
    `);
    expect(child.stderr).toBe("");
    expect(child.stdout.trim()).toBe("done");
    expect(child.status).toBe(0);
  });
});
