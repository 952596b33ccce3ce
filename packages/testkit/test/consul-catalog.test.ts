import { afterEach, describe, expect, it } from "vitest";
import { type ConsulDouble, type ConsulDoubleOptions, startConsulDouble } from "../src/consul.js";
import { createFakeClock, type FakeClock } from "../src/fake-clock.js";
import { type Answer, type CallInit, kratosBody, request } from "./consul-http.js";

let double: ConsulDouble;
let clock: FakeClock;

afterEach(async () => {
  await double?.close();
});

async function start(options: ConsulDoubleOptions = {}): Promise<void> {
  clock = createFakeClock();
  double = await startConsulDouble({ clock, blockingJitter: false, ...options });
}

const call = (path: string, init?: CallInit): Promise<Answer> => request(double.url, path, init);
const register = (id: string, extra?: Record<string, unknown>) =>
  call("/v1/agent/service/register", { body: kratosBody(id, extra) });
const pass = (checkId: string) => call(`/v1/agent/check/pass/${checkId}`, { method: "PUT" });
const nodes = (query = "") => call(`/v1/catalog/service/api${query === "" ? "" : `?${query}`}`);
const services = (query = "") => call(`/v1/catalog/services${query === "" ? "" : `?${query}`}`);
const serviceIds = (answer: Answer): string[] =>
  answer.json<Array<{ ServiceID: string }>>().map((entry) => entry.ServiceID);
const indexOf = (answer: Answer): number => Number(answer.headers.get("x-consul-index"));

describe("consul double: /v1/catalog/service/:name", () => {
  it("lists every instance of the service, whatever its checks say, with the fields of Consul's ServiceNode", async () => {
    await start();
    await register("api-1", { Tags: ["version=1.0.0", "primary"], Weights: { Passing: 3, Warning: 1 } });
    await register("api-2", { Checks: [] });
    const answer = await nodes();
    expect(answer.status).toBe(200);
    expect(indexOf(answer)).toBeGreaterThan(0);
    const [first, second, ...rest] = answer.json<Array<Record<string, unknown>>>();
    expect(rest).toEqual([]);
    expect(Object.keys(first!)).toEqual([
      "ID",
      "Node",
      "Address",
      "Datacenter",
      "TaggedAddresses",
      "NodeMeta",
      "ServiceKind",
      "ServiceID",
      "ServiceName",
      "ServiceTags",
      "ServiceAddress",
      "ServiceTaggedAddresses",
      "ServiceWeights",
      "ServiceMeta",
      "ServicePort",
      "ServiceEnableTagOverride",
      "ServiceProxy",
      "ServiceConnect",
      "CreateIndex",
      "ModifyIndex",
    ]);
    expect(first).toMatchObject({
      Node: "consul-double",
      Address: "127.0.0.1",
      Datacenter: "dc1",
      TaggedAddresses: { lan: "127.0.0.1", lan_ipv4: "127.0.0.1", wan: "127.0.0.1", wan_ipv4: "127.0.0.1" },
      NodeMeta: { "consul-network-segment": "", "consul-version": "1.20.0" },
      ServiceKind: "",
      ServiceID: "api-1", // its TTL check is still critical: the catalog does not care
      ServiceName: "api",
      ServiceTags: ["version=1.0.0", "primary"],
      ServiceAddress: "10.0.0.5",
      ServiceTaggedAddresses: {
        http: { Address: "http://10.0.0.5:8000", Port: 8000 },
        lan_ipv4: { Address: "10.0.0.5", Port: 8000 },
        wan_ipv4: { Address: "10.0.0.5", Port: 8000 },
      },
      ServiceWeights: { Passing: 3, Warning: 1 },
      ServiceMeta: { zone: "a" },
      ServicePort: 8000,
      ServiceEnableTagOverride: false,
    });
    expect(second).toMatchObject({ ServiceID: "api-2", ServiceWeights: { Passing: 1, Warning: 1 } });
    expect((await call("/v1/catalog/service/nothing-here")).json()).toEqual([]);
  });

  it("keeps instances that carry every tag asked for, without regard to case, and those on nodes whose metadata matches", async () => {
    await start();
    await register("api-1", { Tags: ["version=1.0.0", "Primary"] });
    await register("api-2");
    expect(serviceIds(await nodes("tag=primary"))).toEqual(["api-1"]);
    expect(serviceIds(await nodes("tag=PRIMARY&tag=version%3D1.0.0"))).toEqual(["api-1"]);
    expect(serviceIds(await nodes("tag=primary&tag=canary"))).toEqual([]);
    expect(serviceIds(await nodes("node-meta=consul-version:1.20.0"))).toEqual(["api-1", "api-2"]);
    expect(serviceIds(await nodes("node-meta=consul-version:1.19.0"))).toEqual([]);
    expect(serviceIds(await nodes("near=_agent"))).toEqual(["api-1", "api-2"]); // one node: nothing to sort
    await pass("service:api-1");
    const health = await call("/v1/health/service/api?passing&tag=primary");
    expect(health.json<Array<{ Service: { ID: string } }>>().map((e) => e.Service.ID)).toEqual(["api-1"]);
  });

  it("refuses a filter expression, which it does not evaluate, rather than ignore it", async () => {
    await start();
    for (const path of ["/v1/catalog/service/api", "/v1/catalog/services", "/v1/health/service/api"]) {
      const answer = await call(`${path}?filter=${encodeURIComponent('ServiceMeta.zone == "a"')}`);
      expect([answer.status, answer.text]).toEqual([400, expect.stringContaining("not emulated")]);
    }
  });

  it("holds a blocking query until the service changes, a check update included, as Consul does", async () => {
    await start();
    await register("api-1");
    const first = await nodes();
    const held = nodes(`index=${indexOf(first)}&wait=1m`);
    await double.nextRequest();
    expect(double.heldQueries()).toBe(1);
    await pass("service:api-1"); // critical to passing: a write to the service's checks
    const answer = await held;
    expect(indexOf(answer)).toBeGreaterThan(indexOf(first));
    const again = nodes(`index=${indexOf(answer)}&wait=5s`);
    const request = await double.nextRequest();
    clock.advance(5_000);
    expect(indexOf(await again)).toBe(indexOf(answer)); // the wait ended: same index
    expect(request.blocking).toBe(true);
  });
});

describe("consul double: /v1/catalog/services", () => {
  it("maps each service name to the sorted union of its instances' tags", async () => {
    await start();
    await register("api-1", { Tags: ["version=1.0.0", "b"] });
    await register("api-2", { Tags: ["version=2.0.0", "a", "b"] });
    await register("web-1", { Name: "web", Tags: [] });
    const answer = await services();
    expect(answer.status).toBe(200);
    expect(answer.json()).toEqual({ api: ["a", "b", "version=1.0.0", "version=2.0.0"], web: [] });
    expect(indexOf(answer)).toBeGreaterThan(0);
    expect((await services("node-meta=consul-version:0.1")).json()).toEqual({});
  });

  it("blocks on registrations and deregistrations only: a check update does not wake it", async () => {
    await start();
    await register("api-1");
    const index = indexOf(await services());
    const held = services(`index=${index}&wait=10s`);
    await double.nextRequest();
    await pass("service:api-1");
    expect(double.heldQueries()).toBe(1);
    await register("web-1", { Name: "web" });
    const answer = await held;
    expect(indexOf(answer)).toBeGreaterThan(index);
    expect(Object.keys(answer.json<Record<string, unknown>>())).toEqual(["api", "web"]);
    const next = services(`index=${indexOf(answer)}&wait=10s`);
    await double.nextRequest();
    await call("/v1/agent/service/deregister/web-1", { method: "PUT" });
    expect(Object.keys((await next).json<Record<string, unknown>>())).toEqual(["api"]);
  });
});

describe("consul double: catalog reads with ACLs, datacenters and namespaces", () => {
  it("filters both reads to nothing for the anonymous token, and refuses an unknown token", async () => {
    await start({ acl: { tokens: { "write-token": "write" } } });
    await call("/v1/agent/service/register", { body: kratosBody("api-1"), token: "write-token" });
    for (const [answer, empty] of [
      [await nodes(), []],
      [await services(), {}],
    ] as const) {
      expect(answer.json()).toEqual(empty);
      expect(answer.headers.get("x-consul-results-filtered-by-acls")).toBe("true");
    }
    expect(serviceIds(await call("/v1/catalog/service/api", { token: "write-token" }))).toEqual(["api-1"]);
    expect((await call("/v1/catalog/services", { token: "nope" })).status).toBe(403);
  });

  it("answers 500 for another datacenter, and keeps Enterprise namespaces apart", async () => {
    await start();
    expect((await nodes("dc=west")).status).toBe(500);
    expect((await services("ns=team")).status).toBe(400); // the community edition has no namespaces
    await double.close();
    await start({ enterprise: true });
    await call("/v1/agent/service/register?ns=team", { body: kratosBody("api-1") });
    expect(serviceIds(await nodes("ns=team"))).toEqual(["api-1"]);
    expect(serviceIds(await nodes())).toEqual([]);
    expect((await nodes("ns=team")).json<Array<Record<string, unknown>>>()[0]).toMatchObject({
      Namespace: "team",
      Partition: "default",
    });
    expect((await services()).json()).toEqual({});
  });
});
