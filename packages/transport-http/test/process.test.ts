// What a client does to the life of a process, run in a child process against the built package, as
// a user's script runs: an awaited wait keeps the process alive until it settles, a closed client
// holds nothing.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const packageDir = fileURLToPath(new URL("..", import.meta.url));

/** Runs an ES module script from the package folder; a process that hangs is killed (status null). */
function run(body: string) {
  const script = `
    import { createClient, ResolveTimeoutError } from "@switchyard/transport-http";
    import { createMemoryRegistry } from "@switchyard/registry-memory";
    const silent = { warn() {} };
    ${body}
  `;
  return spawnSync(process.execPath, ["--input-type=module", "-e", script], {
    cwd: packageDir,
    encoding: "utf8",
    timeout: 15_000,
  });
}

describe("transport-http and the process", () => {
  it("keeps the process alive while a blocking createClient waits, and rejects with ResolveTimeoutError at the timeout", () => {
    // Without a hold, Node ends the script with code 13 (unsettled top-level await) long before
    // the timeout; the error must also match the class this package exports.
    const child = run(`
      const registry = createMemoryRegistry();
      const started = performance.now();
      try {
        await createClient({ endpoint: "discovery:///nobody", discovery: registry, block: { timeoutMs: 300 }, logger: silent });
        console.log("created");
      } catch (error) {
        console.log(error instanceof ResolveTimeoutError, error.code, performance.now() - started >= 290);
      }
    `);
    expect(child.stderr).toBe("");
    expect(child.stdout.trim()).toBe("true RESOLVE_TIMEOUT true");
    expect(child.status).toBe(0);
  });

  it("lets the process exit once a client that never found an instance is closed", () => {
    const child = run(`
      const registry = createMemoryRegistry();
      const client = await createClient({ endpoint: "discovery:///nobody", discovery: registry, logger: silent });
      await client.close();
      console.log("closed");
    `);
    expect(child.stderr).toBe("");
    expect(child.stdout.trim()).toBe("closed");
    expect(child.status).toBe(0);
  });
});
