import { InvalidArgumentError, RegistryError, type ServiceInstance } from "@switchyard/api";
import { afterEach, describe, expect, it } from "vitest";
import { createConsulRegistry } from "../src/index.js";
import { instance, type Rig, startRig } from "./helpers.js";

let rig: Rig;

afterEach(async () => {
  await rig?.close();
});

async function agentService(id: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${rig.double.url}/v1/agent/service/${id}`);
  return (await response.json()) as Record<string, unknown>;
}

describe("registering with Consul", () => {
  it("maps an instance the way Kratos does: version tag, Meta, a tagged address per scheme, Address/Port of the first endpoint", async () => {
    rig = await startRig();
    await rig.registry({ tags: ["blue"] }).register(instance(5, { metadata: { zone: "a", weight: "50" } }));
    expect(await agentService("api-5")).toMatchObject({
      ID: "api-5",
      Service: "api",
      Tags: ["version=1.0.0", "blue"],
      Meta: { zone: "a", weight: "50" },
      Address: "10.0.0.5",
      Port: 8000,
      TaggedAddresses: {
        http: { Address: "http://10.0.0.5:8000", Port: 8000 },
        grpc: { Address: "grpc://10.0.0.5:9000", Port: 9000 },
      },
    });
  });

  it("adds a TTL check service:<id> and passes it before register resolves, so the instance is discoverable at once", async () => {
    rig = await startRig();
    const registry = rig.registry();
    await registry.register(instance(1));
    expect(rig.double.checks()).toEqual([
      expect.objectContaining({
        checkId: "service:api-1",
        status: "passing",
        definition: expect.objectContaining({ TTL: "30s", DeregisterCriticalServiceAfter: "10m" }),
      }),
    ]);
    expect((await registry.getService("api")).map((i) => i.id)).toEqual(["api-1"]);
  });

  it("sends the heartbeat TTL and DeregisterCriticalServiceAfter as Go durations, or leaves them out when disabled", async () => {
    rig = await startRig();
    await rig
      .registry({ heartbeat: { ttlMs: 15_000 }, deregisterCriticalServiceAfterMs: 120_000 })
      .register(instance(1));
    expect(rig.double.checks()[0]?.definition).toMatchObject({
      TTL: "15s",
      DeregisterCriticalServiceAfter: "2m",
    });
    await rig.registry({ heartbeat: false, deregisterCriticalServiceAfterMs: false }).register(instance(2));
    expect(rig.double.checks().filter((c) => c.serviceId === "api-2")).toEqual([]);
  });

  it.each([
    ["tcp", {}, { TCP: "10.0.0.5:8000" }],
    ["http", { path: "/healthz" }, { HTTP: "http://10.0.0.5:8000/healthz" }],
    ["grpc", { grpcService: "api.v1" }, { GRPC: "10.0.0.5:9000/api.v1", GRPCUseTLS: false }],
    ["tcp", { target: "10.9.9.9:1" }, { TCP: "10.9.9.9:1" }],
  ] as const)("adds a %s check against the instance (%j)", async (type, extra, expected) => {
    rig = await startRig();
    await rig.registry({ heartbeat: false, check: { type, ...extra } }).register(instance(5));
    expect(rig.double.checks()).toEqual([
      expect.objectContaining({
        checkId: `service:api-5:${type}`,
        type,
        definition: expect.objectContaining({ ...expected, Interval: "10s", Timeout: "5s" }),
      }),
    ]);
  });

  it("checks a secure gRPC endpoint with TLS", async () => {
    rig = await startRig();
    const secure = instance(5, { endpoints: ["grpc://10.0.0.5:9443?isSecure=true"] });
    await rig.registry({ heartbeat: false, check: { type: "grpc" } }).register(secure);
    expect(rig.double.checks()[0]?.definition).toMatchObject({ GRPC: "10.0.0.5:9443", GRPCUseTLS: true });
  });

  const bad: Array<[string, Partial<ServiceInstance>, RegExp]> = [
    ["no endpoints", { endpoints: [] }, /has no endpoints/],
    ["an endpoint that is not a URL", { endpoints: ["10.0.0.1:80"] }, /not a URL/],
    ["a gRPC endpoint without a port", { endpoints: ["grpc://10.0.0.1"] }, /no port/],
    ["an endpoint on every interface", { endpoints: ["http://0.0.0.0:80"] }, /every interface/],
    ["two endpoints of one scheme", { endpoints: ["http://a:1", "http://b:2"] }, /two http:\/\/ endpoints/],
    ["an empty id", { id: "" }, /id must be a non-empty string/],
    ["a metadata key with a dot", { metadata: { "a.b": "1" } }, /key "a.b" may only hold/],
    ["a metadata key Consul reserves", { metadata: { "consul-x": "1" } }, /reserves/],
    ["a metadata value over 512 characters", { metadata: { a: "v".repeat(513) } }, /at most 512/],
    [
      "65 metadata pairs",
      { metadata: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, "v"])) },
      /at most 64/,
    ],
  ];
  it.each(bad)("refuses an instance with %s before sending anything", async (_, overrides, message) => {
    rig = await startRig();
    const attempt = rig.registry().register(instance(1, overrides));
    await expect(attempt).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(attempt).rejects.toThrow(message);
    expect(rig.double.requests).toEqual([]);
  });

  it("refuses options Consul would silently bend", () => {
    expect(() => createConsulRegistry({ deregisterCriticalServiceAfterMs: 30_000 })).toThrow(
      /Consul's minimum is 1 minute/,
    );
    expect(() => createConsulRegistry({ heartbeat: { ttlMs: 10_000, intervalMs: 6_000 } })).toThrow(
      /at most half/,
    );
    expect(() => createConsulRegistry({ check: { type: "tcp", intervalMs: 100 } })).toThrow(
      InvalidArgumentError,
    );
    expect(() => createConsulRegistry({ waitMs: 11 * 60_000 })).toThrow(/waitMs/);
  });

  it("deregisters an instance and stops its heartbeat", async () => {
    rig = await startRig();
    const registry = rig.registry();
    await registry.register(instance(1));
    await registry.deregister(instance(1));
    expect(rig.double.serviceIds()).toEqual([]);
    const before = rig.double.requests.length;
    await rig.clock.advanceAsync(60_000);
    expect(rig.double.requests.length).toBe(before);
    expect(rig.clock.pendingTimers()).toBe(1); // the double's reaper only
  });

  it("counts deregistering an instance the agent does not know as done", async () => {
    rig = await startRig();
    await expect(rig.registry().deregister(instance(9))).resolves.toBeUndefined();
  });

  it("rejects with a non-retryable 403 RegistryError when the token may not write, never showing the token", async () => {
    rig = await startRig({ acl: { tokens: { "s3cr3t-read": "read" } } });
    const attempt = rig.registry({ token: "s3cr3t-read" }).register(instance(1));
    const error = (await attempt.catch((e: unknown) => e)) as RegistryError;
    expect(error).toBeInstanceOf(RegistryError);
    expect(error).toMatchObject({ status: 403, retryable: false });
    expect(error.message).toMatch(/ACL token/);
    expect(error.message).not.toContain("s3cr3t");
    expect(rig.double.requests[0]?.headers["x-consul-token"]).toBe("s3cr3t-read");
    expect(rig.warnings.join("\n")).not.toContain("s3cr3t");
  });

  it("rejects and leaves nothing behind when the first pass fails", async () => {
    rig = await startRig();
    rig.double.injectFault({ kind: "status", status: 500, body: "boom" }, { path: "/v1/agent/check/pass/" });
    const attempt = rig.registry().register(instance(1));
    await expect(attempt).rejects.toMatchObject({ status: 500, retryable: true });
    expect(rig.double.serviceIds()).toEqual([]);
    expect(rig.clock.pendingTimers()).toBe(1); // no heartbeat left scheduled
  });

  it("registers again to replace a registration, keeping one heartbeat", async () => {
    rig = await startRig();
    const registry = rig.registry();
    await registry.register(instance(1));
    await registry.register(instance(1, { version: "2.0.0" }));
    expect((await agentService("api-1")).Tags).toEqual(["version=2.0.0"]);
    expect(rig.clock.pendingTimers()).toBe(3); // the double's reaper and TTL timer, one heartbeat
  });
});
