import { afterEach, describe, expect, it } from "vitest";
import { healthQuery, ids, instance, type Rig, startRig, until } from "./helpers.js";

let rig: Rig;

afterEach(async () => {
  await rig?.close();
});

const isPass = (r: { path: string }) => r.path.startsWith("/v1/agent/check/pass/");

/** Moves the clock by one heartbeat interval and waits for the pass it triggers to be answered. */
async function beat(ms = 10_000): Promise<string> {
  const pass = rig.double.nextRequest(isPass);
  await rig.clock.advanceAsync(ms);
  return (await pass).outcome;
}

const statusOf = (checkId: string) => rig.double.checks().find((c) => c.checkId === checkId)?.status;

describe("TTL heartbeat", () => {
  it("keeps an instance passing by passing its check every interval, well inside the TTL", async () => {
    rig = await startRig();
    await rig.registry().register(instance(1));
    for (let i = 0; i < 6; i++) expect(await beat()).toBe("answered");
    expect(statusOf("service:api-1")).toBe("passing");
    expect(rig.double.requests.filter(isPass)).toHaveLength(7); // one at register, then one per interval
  });

  it("lets an instance whose heartbeat stopped turn critical and leave the passing list", async () => {
    rig = await startRig();
    const serving = rig.registry();
    await serving.register(instance(1));
    await serving.register(instance(2));
    const watcher = rig.registry().watch("api");
    expect(ids(await watcher.next())).toEqual(["api-1", "api-2"]);
    await healthQuery(rig.double, 2);
    await beat();
    await serving.close(); // the process died: no deregistration, no more passes
    const next = watcher.next();
    await rig.clock.advanceAsync(30_000);
    let list = await next;
    expect(ids(list)).not.toEqual(["api-1", "api-2"]);
    while (list.length > 0) list = await watcher.next(); // the two TTLs expire one after the other
    expect(ids(list)).toEqual([]);
    expect(statusOf("service:api-1")).toBe("critical");
    await watcher.stop();
  });

  it("registers the instance again when a pass finds the agent forgot it, and keeps passing", async () => {
    rig = await startRig();
    await rig.registry().register(instance(1));
    rig.double.forgetAll();
    const reRegistered = rig.double.nextRequest((r) => r.path === "/v1/agent/service/register");
    const passedAgain = rig.double.nextRequest((r) => isPass(r) && rig.double.serviceIds().length > 0);
    await rig.clock.advanceAsync(10_000);
    await (await reRegistered).outcome;
    expect(await (await passedAgain).outcome).toBe("answered");
    expect(rig.double.serviceIds()).toEqual(["api-1"]);
    expect(statusOf("service:api-1")).toBe("passing");
    await until(
      () => rig.warnings.some((w) => /forgotten instance "api-1".*registered again/.test(w)),
      "the warning",
    );
  });

  it("reports a failed pass through onError and beats again on schedule", async () => {
    rig = await startRig();
    await rig.registry().register(instance(1));
    rig.double.injectFault(
      { kind: "status", status: 500, body: "agent busy" },
      { path: "/v1/agent/check/pass/" },
    );
    expect(await beat()).toBe("faulted");
    await until(() => rig.errors.length > 0, "an error report");
    expect(rig.errors.map((e) => [e.context.operation, e.context.instanceId, e.error.status])).toEqual([
      ["heartbeat", "api-1", 500],
    ]);
    expect(rig.double.serviceIds()).toEqual(["api-1"]); // a 500 is not a forgotten instance: no re-registration
    expect(await beat()).toBe("answered");
  });

  it("lets Consul remove an instance left critical for DeregisterCriticalServiceAfter", async () => {
    rig = await startRig();
    const registry = rig.registry({ deregisterCriticalServiceAfterMs: 60_000 });
    await registry.register(instance(1));
    await registry.close();
    await rig.clock.advanceAsync(30_000 + 60_000);
    expect(rig.double.serviceIds()).toEqual(["api-1"]);
    await rig.clock.advanceAsync(30_000);
    expect(rig.double.serviceIds()).toEqual([]);
  });
});
