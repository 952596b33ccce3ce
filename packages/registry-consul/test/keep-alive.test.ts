import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { pendingHolds } from "@switchyard/kit";
import { type ConsulDouble, startConsulDouble } from "@switchyard/testkit/consul";
import { afterEach, describe, expect, it } from "vitest";
import { instance, type Rig, startRig } from "./helpers.js";

const dist = fileURLToPath(new URL("../dist/index.js", import.meta.url));

let rig: Rig | undefined;
let double: ConsulDouble | undefined;

afterEach(async () => {
  await rig?.close();
  await double?.close();
  rig = undefined;
  double = undefined;
});

/** Runs `script` as an ES module; calls `onLine` with each line it prints; resolves with its exit. */
function run(
  script: string,
  onLine: (line: string) => void,
): Promise<{ code: number | null; out: string[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], { stdio: "pipe" });
    const out: string[] = [];
    let pending = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      pending += chunk;
      for (let end = pending.indexOf("\n"); end >= 0; end = pending.indexOf("\n")) {
        const line = pending.slice(0, end);
        pending = pending.slice(end + 1);
        out.push(line);
        onLine(line);
      }
    });
    const timer = setTimeout(() => child.kill(), 15_000);
    child.on("error", reject);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

describe("consul watcher: a pending next() keeps the process alive", () => {
  it("holds the process while a next() waits, and lets go when it settles or the watcher stops", async () => {
    rig = await startRig();
    const before = pendingHolds();
    const registry = rig.registry();
    const watcher = registry.watch("api");
    const first = watcher.next();
    expect(pendingHolds()).toBe(before + 1);
    await first;
    expect(pendingHolds()).toBe(before);
    const second = watcher.next();
    expect(pendingHolds()).toBe(before + 1);
    await registry.register(instance(1));
    await second;
    expect(pendingHolds()).toBe(before);
    const third = watcher.next();
    await watcher.stop();
    await expect(third).rejects.toThrow(/no longer yields/);
    expect(pendingHolds()).toBe(before);
  });

  it("waits through the agent's absence for the list instead of exiting with code 13", async () => {
    double = await startConsulDouble();
    const registered = await fetch(`${double.url}/v1/agent/service/register`, {
      method: "PUT",
      body: JSON.stringify({ ID: "api-1", Name: "api", Address: "10.0.0.1", Port: 8000 }),
    });
    expect(registered.status).toBe(200);
    await double.down();
    // The first query is refused and retried after an unref'd backoff timer: only the pending
    // next() can keep the child alive until the agent is back.
    const script = `
      import { createConsulRegistry } from ${JSON.stringify(dist)};
      const registry = createConsulRegistry({
        address: ${JSON.stringify(double.address)},
        env: {},
        backoff: { initialMs: 100, maxMs: 400 },
        logger: { warn: () => console.log("reported") },
      });
      const instances = await registry.watch("api").next();
      console.log(instances.map((i) => i.id).join(","));
      await registry.close();
    `;
    const agent = double;
    let revived: Promise<void> | undefined;
    const { code, out } = await run(script, (line) => {
      if (line === "reported") revived ??= agent.up();
    });
    await revived;
    expect(out.at(-1)).toBe("api-1");
    expect(code).toBe(0);
  });
});
