import { InvalidArgumentError, RegistryError } from "@switchyard/api";
import type { ConsulFault } from "@switchyard/testkit/consul";
import { afterEach, describe, expect, it } from "vitest";
import { ids, instance, type Rig, startRig } from "./helpers.js";

let rig: Rig;

afterEach(async () => {
  await rig?.close();
});

/** Registers a raw service definition with the double, as another tool would. */
async function putRaw(body: Record<string, unknown>): Promise<void> {
  const response = await fetch(`${rig.double.url}/v1/agent/service/register`, {
    method: "PUT",
    body: JSON.stringify({ Name: "api", ...body }),
  });
  expect(response.status).toBe(200);
}

describe("getService", () => {
  it("reads instances back: endpoints from TaggedAddresses, version from its tag, metadata from Meta", async () => {
    rig = await startRig();
    const registry = rig.registry();
    await registry.register(instance(5, { metadata: { zone: "a", weight: "20" } }));
    const [found, ...rest] = await registry.getService("api");
    expect(rest).toEqual([]);
    expect(found).toEqual({
      id: "api-5",
      name: "api",
      version: "1.0.0",
      metadata: { zone: "a", weight: "20" },
      endpoints: ["grpc://10.0.0.5:9000", "http://10.0.0.5:8000"],
    });
    expect(Object.isFrozen(found)).toBe(true);
    expect(Object.getPrototypeOf(found?.metadata)).toBeNull();
  });

  it("falls back to http://Address:Port, or the node's address, and skips Consul's own lan/wan addresses", async () => {
    rig = await startRig();
    await putRaw({
      ID: "plain",
      Address: "10.1.1.1",
      Port: 80,
      TaggedAddresses: { lan: { Address: "10.1.1.1", Port: 80 } },
    });
    await putRaw({ ID: "on-node", Port: 81 });
    await putRaw({ ID: "v6", Address: "fd00::1", Port: 82 });
    await putRaw({ ID: "bare", TaggedAddresses: { grpc: { Address: "10.2.2.2", Port: 9000 } } });
    const found = await rig.registry().getService("api");
    expect(Object.fromEntries(found.map((i) => [i.id, i.endpoints]))).toEqual({
      plain: ["http://10.1.1.1:80"],
      "on-node": ["http://127.0.0.1:81"],
      v6: ["http://[fd00::1]:82"],
      bare: ["grpc://10.2.2.2:9000"],
    });
    expect(found.every((i) => i.version === "")).toBe(true);
  });

  it("skips an entry without a usable address and reports it, keeping the others", async () => {
    rig = await startRig();
    await putRaw({ ID: "nowhere" });
    await putRaw({ ID: "fine", Address: "10.1.1.1", Port: 80 });
    expect(ids(await rig.registry().getService("api"))).toEqual(["fine"]);
    expect(rig.errors.map((e) => [e.context.operation, e.error.retryable])).toEqual([["getService", false]]);
    expect(rig.errors[0]?.error.message).toMatch(/"nowhere" of "api" has no usable address/);
  });

  it("lists passing instances by default; minimumHealth warning or critical widens the list", async () => {
    rig = await startRig();
    for (const [id, status] of [
      ["ok", "passing"],
      ["meh", "warning"],
      ["down", "critical"],
    ] as const) {
      await putRaw({ ID: id, Address: "10.1.1.1", Port: 80, Check: { TTL: "1h", Status: status } });
    }
    expect(ids(await rig.registry().getService("api"))).toEqual(["ok"]);
    expect(ids(await rig.registry({ minimumHealth: "warning" }).getService("api"))).toEqual(["meh", "ok"]);
    expect(ids(await rig.registry({ minimumHealth: "critical" }).getService("api"))).toEqual([
      "down",
      "meh",
      "ok",
    ]);
    const queries = rig.double.requests.map((r) => r.query.has("passing"));
    expect(queries).toEqual([false, false, false, true, false, false]);
  });

  it("sends the token in X-Consul-Token (never in the URL), with dc, ns and partition when set", async () => {
    rig = await startRig({ acl: { tokens: { "tok-1": "read" } }, enterprise: true, datacenter: "east" });
    await rig
      .registry({ token: "tok-1", datacenter: "east", namespace: "team", partition: "p1" })
      .getService("api");
    const [request] = rig.double.requests;
    expect(request?.headers["x-consul-token"]).toBe("tok-1");
    expect(request?.path).toBe("/v1/health/service/api");
    expect(Object.fromEntries(request?.query ?? [])).toEqual({
      passing: "",
      dc: "east",
      ns: "team",
      partition: "p1",
    });
  });

  it("takes the address and token from CONSUL_HTTP_ADDR and CONSUL_HTTP_TOKEN", async () => {
    rig = await startRig();
    const env = { CONSUL_HTTP_ADDR: `http://${rig.double.address}`, CONSUL_HTTP_TOKEN: "from-env" };
    await rig.registry({ address: undefined, env }).getService("api");
    expect(rig.double.requests[0]?.headers["x-consul-token"]).toBe("from-env");
  });

  const faults: Array<[string, ConsulFault, RegExp, boolean]> = [
    [
      "a 500",
      { kind: "status", status: 500, body: "rpc error" },
      /failed \(500: rpc error\); the agent failed/,
      true,
    ],
    [
      "a 403",
      { kind: "status", status: 403, body: "ACL not found" },
      /\(403: ACL not found\); check the ACL token/,
      false,
    ],
    ["invalid JSON", { kind: "invalid-json" }, /not valid JSON/, true],
    ["a truncated reply", { kind: "truncated" }, /the reply was cut off/, true],
    ["a reply that is not a list", { kind: "reply", body: '{"Service":{}}' }, /not a list of entries/, true],
    [
      "a reply without an index",
      { kind: "reply", body: "[]", headers: { "X-Consul-Index": "" } },
      /X-Consul-Index/,
      true,
    ],
  ];
  it.each(faults)(
    "rejects %s with a RegistryError that says what happened",
    async (_, fault, message, retryable) => {
      rig = await startRig();
      rig.double.injectFault(fault);
      const error = await rig
        .registry()
        .getService("api")
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RegistryError);
      expect(error).toMatchObject({ retryable });
      expect((error as Error).message).toMatch(message);
    },
  );

  it("rejects with a retryable RegistryError when the agent is unreachable", async () => {
    rig = await startRig();
    await rig.double.down();
    const error = await rig
      .registry()
      .getService("api")
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "REGISTRY_ERROR", retryable: true, status: undefined });
    expect((error as Error).message).toMatch(/cannot reach the agent at http:\/\/127\.0\.0\.1:\d+/);
  });

  it("times out a reply that never comes, on the registry's clock", async () => {
    rig = await startRig();
    rig.double.injectFault({ kind: "hang" });
    const registry = rig.registry({ requestTimeoutMs: 5_000 });
    const pending = registry.getService("api").catch((e: unknown) => e);
    const request = await rig.double.nextRequest();
    await rig.clock.advanceAsync(5_000);
    expect(await pending).toMatchObject({
      retryable: true,
      message: expect.stringMatching(/timed out after 5000 ms/),
    });
    expect(await request.outcome).toBe("faulted");
  });

  it("rejects with the signal's reason when aborted, and refuses an empty service name", async () => {
    rig = await startRig();
    rig.double.injectFault({ kind: "hang" });
    const registry = rig.registry();
    const abort = new AbortController();
    const pending = registry.getService("api", { signal: abort.signal });
    await rig.double.nextRequest();
    const reason = new Error("caller gave up");
    abort.abort(reason);
    await expect(pending).rejects.toBe(reason);
    await expect(registry.getService("")).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(() => registry.watch("")).toThrow(InvalidArgumentError);
  });

  it("refuses every call once closed", async () => {
    rig = await startRig();
    const registry = rig.registry();
    await registry.close();
    await expect(registry.getService("api")).rejects.toThrow(/closed registry/);
    await expect(registry.register(instance(1))).rejects.toThrow(/closed registry/);
    expect(() => registry.watch("api")).toThrow(/closed registry/);
    await expect(registry.close()).resolves.toBeUndefined();
  });
});
