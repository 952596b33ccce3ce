// What a channel does to the life of a process, run in a child process against the built package, as
// a user's script runs. The transport awaits nothing of its own: the waits a user awaits are
// grpc-js's (waitForReady, a call's deadline), which hold the process while they are pending; the
// registry watch behind a discovery:/// channel must neither end them early nor outlive close().
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const packageDir = fileURLToPath(new URL("..", import.meta.url));

/** Runs an ES module script from the package folder; a process that hangs is killed (status null). */
function run(body: string) {
  const script = `
    import * as grpc from "@grpc/grpc-js";
    import { createMemoryRegistry } from "@switchyard/registry-memory";
    import { createChannelOptions } from "@switchyard/transport-grpc";
    const registry = createMemoryRegistry();
    const { target, options } = createChannelOptions({
      target: "discovery:///nobody", discovery: registry, logger: { warn() {} },
    });
    const client = new grpc.Client(target, grpc.credentials.createInsecure(), options);
    const started = performance.now();
    ${body}
  `;
  return spawnSync(process.execPath, ["--input-type=module", "-e", script], {
    cwd: packageDir,
    encoding: "utf8",
    timeout: 15_000,
  });
}

describe("transport-grpc and the process", () => {
  it("keeps the process alive while waitForReady waits on an empty registry, and exits once the client closes", () => {
    const child = run(`
      await new Promise((resolve) =>
        client.waitForReady(Date.now() + 300, (error) => {
          console.log(error?.message, performance.now() - started >= 290);
          resolve();
        }),
      );
      client.close();
    `);
    expect(child.stderr).toBe("");
    expect(child.stdout.trim()).toBe("Failed to connect before the deadline true");
    expect(child.status).toBe(0);
  });

  it("keeps the process alive until the deadline of a call waiting for the first instances", () => {
    const child = run(`
      const code = await new Promise((resolve) =>
        client.makeUnaryRequest("/helloworld.Greeter/SayHello", (b) => b, (b) => b, Buffer.alloc(0),
          { deadline: Date.now() + 300 }, (error) => resolve(error?.code)),
      );
      console.log(code === grpc.status.DEADLINE_EXCEEDED, performance.now() - started >= 290);
      client.close();
    `);
    expect(child.stderr).toBe("");
    expect(child.stdout.trim()).toBe("true true");
    expect(child.status).toBe(0);
  });
});
