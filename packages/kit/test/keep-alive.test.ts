import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { holdProcess, pendingHolds } from "../src/index.js";

const dist = fileURLToPath(new URL("../dist/index.js", import.meta.url));

describe("holdProcess", () => {
  it("counts holds and ignores a second release", () => {
    const before = pendingHolds();
    const a = holdProcess();
    const b = holdProcess();
    expect(pendingHolds()).toBe(before + 2);
    a();
    a();
    expect(pendingHolds()).toBe(before + 1);
    b();
    expect(pendingHolds()).toBe(before);
  });

  it("keeps a process whose only pending work is an awaited promise alive until released", () => {
    // Without the hold, Node exits with code 13 (unsettled top-level await) at once.
    const script = `
      import { holdProcess } from ${JSON.stringify(dist)};
      const release = holdProcess();
      let resolve;
      const wait = new Promise((r) => { resolve = r; });
      const timer = setTimeout(() => { release(); resolve(); }, 50);
      timer.unref();
      await wait;
      console.log("settled");
    `;
    const run = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
    expect(run.status).toBe(0);
    expect(run.stdout.trim()).toBe("settled");
  });

  it("lets the process exit once every hold is released", () => {
    const script = `
      import { holdProcess } from ${JSON.stringify(dist)};
      const release = holdProcess();
      release();
      console.log("done");
    `;
    // A hold left behind would keep the child running until the kill at the timeout (status null).
    const run = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
      encoding: "utf8",
      timeout: 15_000,
    });
    expect(run.status).toBe(0);
    expect(run.stdout.trim()).toBe("done");
  });
});
