import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { pendingHolds } from "@switchyard/kit";
import { flushMicrotasks } from "@switchyard/testkit";
import { describe, expect, it } from "vitest";
import { createMemoryRegistry, createStaticDiscovery } from "../src/index.js";
import { instance } from "./helpers.js";

const dist = fileURLToPath(new URL("../dist/index.js", import.meta.url));

describe("memory registry: a pending next() keeps the process alive", () => {
  it("holds the process while a next() waits, and lets go when it settles, is aborted or the watcher stops", async () => {
    const before = pendingHolds();
    const registry = createMemoryRegistry();
    const watcher = registry.watch("helloworld");
    await watcher.next(); // the current (empty) list: nothing waits
    expect(pendingHolds()).toBe(before);

    const first = watcher.next();
    const second = watcher.next(); // two waiters share one hold
    expect(pendingHolds()).toBe(before + 1);
    await registry.register(instance(1));
    await Promise.all([first, second]);
    expect(pendingHolds()).toBe(before);

    const controller = new AbortController();
    const aborted = watcher.next({ signal: controller.signal });
    expect(pendingHolds()).toBe(before + 1);
    controller.abort(new Error("enough"));
    await expect(aborted).rejects.toThrow("enough");
    expect(pendingHolds()).toBe(before);

    const stopped = watcher.next();
    expect(pendingHolds()).toBe(before + 1);
    await watcher.stop();
    await expect(stopped).rejects.toThrow(/no longer yields/);
    expect(pendingHolds()).toBe(before);

    const statics = createStaticDiscovery([instance(1)]).watch("helloworld");
    await statics.next();
    const forever = statics.next();
    await flushMicrotasks();
    expect(pendingHolds()).toBe(before + 1);
    await statics.stop();
    await expect(forever).rejects.toThrow(/no longer yields/);
    expect(pendingHolds()).toBe(before);
  });

  it("keeps a for await loop of the README running until the change it waits for arrives", () => {
    // Without the hold, Node exits with code 13 (unsettled top-level await) after the first list.
    const script = `
      import { createMemoryRegistry } from ${JSON.stringify(dist)};
      const registry = createMemoryRegistry();
      const at = (n) => ({ id: "api-" + n, name: "api", version: "1", metadata: {}, endpoints: ["http://127.0.0.1:" + (8000 + n)] });
      await registry.register(at(1));
      setTimeout(() => void registry.register(at(2)), 50).unref();
      for await (const instances of registry.watch("api")) {
        console.log(instances.length);
        if (instances.length === 2) break;
      }
      console.log("done");
    `;
    const run = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
      encoding: "utf8",
      timeout: 15_000,
    });
    expect(run.stderr).toBe("");
    expect(run.stdout.trim().split("\n")).toEqual(["1", "2", "done"]);
    expect(run.status).toBe(0);
  });
});
