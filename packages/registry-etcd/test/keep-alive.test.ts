import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { pendingHolds } from "@switchyard/kit";
import { describe, expect, it } from "vitest";
import { createEtcdRegistry, type EtcdRegistryOptions } from "../src/index.js";
import { useEtcd } from "./etcd-server.js";
import { instance, uniqueNamespace } from "./helpers.js";
import { startProxy } from "./tcp-proxy.js";

const dist = fileURLToPath(new URL("../dist/index.js", import.meta.url));

const { etcd, cleanups } = useEtcd();

function registry(options: EtcdRegistryOptions = {}) {
  const created = createEtcdRegistry({ endpoints: etcd.endpoint, ...options });
  cleanups.push(() => created.close());
  return created;
}

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

describe("etcd watcher: a pending next() keeps the process alive", { timeout: 20_000 }, () => {
  it("holds the process while a next() waits, and lets go when it settles or the watcher stops", async () => {
    const before = pendingHolds();
    const namespace = uniqueNamespace();
    const reader = registry({ namespace });
    const watcher = reader.watch("api");
    const first = watcher.next(); // waits for the first read
    expect(pendingHolds()).toBe(before + 1);
    await first;
    expect(pendingHolds()).toBe(before);
    const second = watcher.next();
    expect(pendingHolds()).toBe(before + 1);
    await watcher.stop();
    await expect(second).rejects.toThrow(/no longer yields/);
    expect(pendingHolds()).toBe(before);
  });

  it("waits through a cut connection for the list instead of exiting with code 13", async () => {
    const namespace = uniqueNamespace();
    await registry({ namespace }).register(instance("api", 1));
    const proxy = await startProxy(etcd.port);
    cleanups.push(() => proxy.close());
    proxy.cut();
    // The first read fails and is retried after an unref'd backoff timer: only the pending next()
    // can keep the child alive until etcd is reachable again.
    const script = `
      import { createEtcdRegistry } from ${JSON.stringify(dist)};
      const registry = createEtcdRegistry({
        endpoints: ${JSON.stringify(proxy.endpoint)},
        namespace: ${JSON.stringify(namespace)},
        backoff: { initialMs: 100, maxMs: 400 },
        logger: { warn: () => console.log("reported") },
      });
      const instances = await registry.watch("api").next();
      console.log(instances.map((i) => i.id).join(","));
      await registry.close();
    `;
    const { code, out } = await run(script, (line) => {
      if (line === "reported") proxy.restore();
    });
    expect(out.at(-1)).toBe("api-1");
    expect(code).toBe(0);
  });
});
