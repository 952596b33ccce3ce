import { afterEach, describe, expect, it } from "vitest";
import {
  type ConsulDouble,
  type ConsulDoubleOptions,
  parseGoDuration,
  startConsulDouble,
} from "../src/consul.js";
import { createFakeClock, type FakeClock } from "../src/fake-clock.js";
import { type Answer, type CallInit, kratosBody, request } from "./consul-http.js";

let double: ConsulDouble;
let clock: FakeClock;

afterEach(async () => {
  await double?.close();
});

async function start(options: ConsulDoubleOptions = {}): Promise<ConsulDouble> {
  clock = createFakeClock();
  double = await startConsulDouble({ clock, blockingJitter: false, ...options });
  return double;
}

/** The parts of a health entry the tests read. */
interface Entry {
  readonly Node: Record<string, unknown>;
  readonly Service: { readonly ID: string; readonly TaggedAddresses: Record<string, unknown> } & Record<
    string,
    unknown
  >;
  readonly Checks: ReadonlyArray<{ readonly CheckID: string; readonly Status: string }>;
}

const call = (path: string, init?: CallInit): Promise<Answer> => request(double.url, path, init);

const register = (id: string, extra?: Record<string, unknown>) =>
  call("/v1/agent/service/register", { body: kratosBody(id, extra) });
const pass = (checkId: string) => call(`/v1/agent/check/pass/${checkId}`, { method: "PUT" });
const health = (query = "passing") => call(`/v1/health/service/api?${query}`);
const ids = (answer: Answer): string[] => answer.json<Entry[]>().map((e) => e.Service.ID);

describe("consul double: registration and health", () => {
  it("stores a Kratos-style registration and lists it with Node, Service and Checks", async () => {
    await start();
    expect((await register("api-1")).status).toBe(200);
    const answer = await health("");
    expect(answer.status).toBe(200);
    const entry = answer.json<Entry[]>()[0]!;
    expect(entry.Node).toMatchObject({ Node: "consul-double", Address: "127.0.0.1", Datacenter: "dc1" });
    expect(entry.Service).toMatchObject({
      ID: "api-1",
      Service: "api",
      Tags: ["version=1.0.0"],
      Meta: { zone: "a" },
    });
    expect(entry.Service.TaggedAddresses).toEqual({
      http: { Address: "http://10.0.0.5:8000", Port: 8000 },
      lan_ipv4: { Address: "10.0.0.5", Port: 8000 },
      wan_ipv4: { Address: "10.0.0.5", Port: 8000 },
    });
    expect(entry.Checks.map((c) => [c.CheckID, c.Status])).toEqual([
      ["serfHealth", "passing"],
      ["service:api-1", "critical"],
    ]);
    expect(Number(answer.headers.get("x-consul-index"))).toBeGreaterThan(0);
  });

  it("starts checks critical, so ?passing lists an instance only once its TTL check passes", async () => {
    await start();
    await register("api-1");
    expect(ids(await health())).toEqual([]);
    expect((await pass("service:api-1")).status).toBe(200);
    expect(ids(await health())).toEqual(["api-1"]);
    await call("/v1/agent/check/warn/service:api-1", { method: "PUT" });
    expect(ids(await health())).toEqual([]);
    expect(ids(await health("passing=false"))).toEqual(["api-1"]);
  });

  it("matches body fields without regard to case or underscores, and keeps map keys as sent", async () => {
    await start();
    const body = {
      name: "api",
      id: "api-1",
      tagged_addresses: { grpc: { address: "grpc://10.0.0.5:9000", port: 9000 } },
      meta: { Zone_A: "x" },
      check: { ttl: "10s", status: "passing" },
    };
    expect((await call("/v1/agent/service/register", { body })).status).toBe(200);
    const entry = (await health()).json<Entry[]>()[0]!;
    expect(entry.Service.TaggedAddresses.grpc).toEqual({ Address: "grpc://10.0.0.5:9000", Port: 9000 });
    expect(entry.Service.Meta).toEqual({ Zone_A: "x" });
    expect(entry.Checks[1]?.CheckID).toBe("service:api-1");
  });

  it("refuses what Consul refuses, with Consul's status and reason", async () => {
    await start();
    const refused = async (body: unknown) => {
      const answer = await call("/v1/agent/service/register", { body });
      return [answer.status, answer.text];
    };
    expect(await refused({ ID: "x" })).toEqual([400, "Missing service name"]);
    expect(await refused("{not json")).toEqual([400, expect.stringMatching(/^Request decode failed/)]);
    expect(await refused({ Name: "api", Address: "0.0.0.0" })).toEqual([400, "Invalid service address"]);
    expect(await refused({ Name: "api", Meta: { "a.b": "x" } })).toEqual([
      400,
      expect.stringContaining("Key contains invalid characters"),
    ]);
    expect(await refused({ Name: "api", Meta: { "consul-x": "1" } })).toEqual([
      400,
      expect.stringContaining("reserved"),
    ]);
    expect(await refused({ Name: "api", Meta: { a: "v".repeat(513) } })).toEqual([
      400,
      expect.stringContaining("Value is too long"),
    ]);
    const many = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, "v"]));
    expect(await refused({ Name: "api", Meta: many })).toEqual([
      400,
      expect.stringContaining("more than 64"),
    ]);
    expect(await refused({ Name: "api", Check: { Interval: "10s" } })).toEqual([
      400,
      "Invalid check: TTL must be > 0 for TTL checks",
    ]);
    expect(await refused({ Name: "api", Check: { TCP: "h:1" } })).toEqual([
      400,
      expect.stringContaining("Interval must be > 0"),
    ]);
    expect(await refused({ Name: "api", Check: { TTL: "1x" } })).toEqual([
      400,
      expect.stringContaining("invalid duration"),
    ]);
    expect(await refused({ Name: "api", Check: { TTL: "5s", Status: "ok" } })).toEqual([
      400,
      expect.stringContaining("Status for checks"),
    ]);
    expect((await call("/v1/agent/service/register")).status).toBe(405);
    expect(double.serviceIds()).toEqual([]);
  });

  it("deregisters a service with its checks, and answers 404 for an unknown id", async () => {
    await start();
    await register("api-1");
    expect((await call("/v1/agent/service/deregister/api-1", { method: "PUT" })).status).toBe(200);
    expect(ids(await health(""))).toEqual([]);
    expect(double.checks()).toEqual([]);
    const again = await call("/v1/agent/service/deregister/api-1", { method: "PUT" });
    expect([again.status, again.text]).toEqual([404, expect.stringContaining('Unknown service ID "api-1"')]);
  });

  it("keeps a check's status when the service registers again, and drops missing checks with replace-existing-checks", async () => {
    await start();
    await register("api-1", {
      Checks: [
        { CheckID: "service:api-1", TTL: "30s" },
        { CheckID: "extra", TTL: "30s" },
      ],
    });
    await pass("service:api-1");
    await call("/v1/agent/service/register?replace-existing-checks", { body: kratosBody("api-1") });
    expect(double.checks().map((c) => [c.checkId, c.status])).toEqual([["service:api-1", "passing"]]);
  });

  it("writes nothing when a registration changes nothing, as Consul's anti-entropy finds it in sync", async () => {
    await start();
    await register("api-1");
    const index = double.index();
    await register("api-1");
    expect(double.index()).toBe(index);
    await register("api-1", { Tags: ["version=2.0.0"] });
    expect(double.index()).toBeGreaterThan(index);
  });

  it("serves the agent's view at /v1/agent/service/:id, /v1/agent/services and /v1/agent/checks", async () => {
    await start();
    await register("api-1");
    expect((await call("/v1/agent/service/api-1")).json()).toMatchObject({
      ID: "api-1",
      Service: "api",
      Port: 8000,
    });
    expect((await call("/v1/agent/service/nope")).status).toBe(404);
    expect(Object.keys((await call("/v1/agent/services")).json<object>())).toEqual(["api-1"]);
    expect(Object.keys((await call("/v1/agent/checks")).json<object>())).toEqual(["service:api-1"]);
  });
});

describe("consul double: TTL checks and reaping", () => {
  it("turns a TTL check critical when no update arrives within its TTL, and passing again on pass", async () => {
    await start();
    await register("api-1");
    await pass("service:api-1");
    clock.advance(29_000);
    await pass("service:api-1");
    clock.advance(29_000);
    expect(double.checks()[0]?.status).toBe("passing");
    clock.advance(1_001);
    expect(double.checks()[0]).toMatchObject({ status: "critical", output: "TTL expired" });
    expect(ids(await health())).toEqual([]);
    await pass("service:api-1");
    expect(ids(await health())).toEqual(["api-1"]);
  });

  it("answers 404 to an update of an unknown check and 500 to a TTL update of a non-TTL check", async () => {
    await start();
    await register("api-1", { Checks: [{ CheckID: "tcp", TCP: "10.0.0.5:8000", Interval: "10s" }] });
    const unknown = await pass("service:nope");
    expect([unknown.status, unknown.text]).toEqual([
      404,
      expect.stringContaining('Unknown check ID "service:nope"'),
    ]);
    const notTtl = await pass("tcp");
    expect([notTtl.status, notTtl.text]).toEqual([500, 'CheckID "tcp" does not have associated TTL']);
  });

  it("reaps a service critical for longer than DeregisterCriticalServiceAfter, raised to Consul's 1 minute minimum", async () => {
    await start();
    await register("api-1", {
      Checks: [{ CheckID: "service:api-1", TTL: "10s", DeregisterCriticalServiceAfter: "10s" }],
    });
    clock.advance(60_000); // the reaper ran at 30 s and 60 s: critical for 60 s, not more
    expect(double.serviceIds()).toEqual(["api-1"]);
    clock.advance(30_000);
    expect(double.serviceIds()).toEqual([]);
  });

  it("does not reap a service whose check recovered", async () => {
    await start();
    await register("api-1");
    clock.advance(50_000);
    await pass("service:api-1");
    clock.advance(25_000);
    await pass("service:api-1");
    clock.advance(25_000);
    expect(double.serviceIds()).toEqual(["api-1"]);
  });
});

describe("consul double: blocking queries", () => {
  const indexOf = (answer: Answer) => Number(answer.headers.get("x-consul-index"));

  it("holds a query with an index until the service changes, then answers with a higher index", async () => {
    await start();
    await register("api-1", { Checks: [] });
    const first = await health("");
    const held = health(`index=${indexOf(first)}&wait=1m`);
    await double.nextRequest();
    expect(double.heldQueries()).toBe(1);
    await register("api-2", { Checks: [] });
    const answer = await held;
    expect(ids(answer)).toEqual(["api-1", "api-2"]);
    expect(indexOf(answer)).toBeGreaterThan(indexOf(first));
    expect(double.heldQueries()).toBe(0);
  });

  it("answers with the same index when the wait elapses without a change", async () => {
    await start();
    await register("api-1", { Checks: [] });
    const index = indexOf(await health(""));
    const held = health(`index=${index}&wait=5s`);
    const request = await double.nextRequest();
    clock.advance(4_999);
    expect(double.heldQueries()).toBe(1);
    clock.advance(1);
    expect(indexOf(await held)).toBe(index);
    expect(await request.outcome).toBe("answered");
    expect(request.blocking).toBe(true);
  });

  it("caps wait at 10 minutes, defaults it to 5, and adds Consul's jitter of up to wait/16", async () => {
    await start({ blockingJitter: true, random: () => 0.5 });
    const index = indexOf(await health(""));
    const capped = health(`index=${index}&wait=1h`);
    await double.nextRequest();
    const byDefault = health(`index=${index}`);
    await double.nextRequest();
    const fiveMinutes = 5 * 60_000 + (5 * 60_000) / 32; // wait plus half of wait/16
    const tenMinutes = 10 * 60_000 + (10 * 60_000) / 32;
    clock.advance(fiveMinutes - 1);
    expect(double.heldQueries()).toBe(2);
    clock.advance(1);
    await byDefault;
    expect(double.heldQueries()).toBe(1);
    clock.advance(tenMinutes - fiveMinutes - 1);
    expect(double.heldQueries()).toBe(1);
    clock.advance(1);
    await capped;
  });

  it("does not wake for a TTL pass that changes nothing", async () => {
    await start();
    await register("api-1");
    await pass("service:api-1");
    const index = indexOf(await health());
    const held = health(`passing&index=${index}&wait=10s`);
    await double.nextRequest();
    await pass("service:api-1");
    expect(double.heldQueries()).toBe(1);
    clock.advance(10_000);
    expect(indexOf(await held)).toBe(index);
  });

  it("refuses a bad index, wait or passing value with 400", async () => {
    await start();
    expect((await health("index=abc")).text).toBe("Invalid index");
    expect((await health("index=1&wait=5")).text).toBe("Invalid wait time");
    expect((await health("passing=maybe")).status).toBe(400);
  });

  it("after an index reset, holds a query with the old index until its wait elapses, then reports the lower index", async () => {
    await start();
    for (let i = 0; i < 5; i++) await register(`api-${i}`, { Checks: [] });
    const high = indexOf(await health(""));
    const held = health(`index=${high}&wait=10s`);
    await double.nextRequest();
    double.resetIndex(1);
    await call("/v1/agent/service/deregister/api-0", { method: "PUT" });
    expect(double.heldQueries()).toBe(1);
    clock.advance(10_000);
    const answer = await held;
    expect(indexOf(answer)).toBeLessThan(high);
    expect(ids(answer)).not.toContain("api-0");
  });
});

describe("consul double: ACLs, scopes and datacenters", () => {
  const acl = { tokens: { "write-token": "write", "read-token": "read" } } as const;

  it("refuses an unknown token with 403 ACL not found", async () => {
    await start({ acl });
    const answer = await call("/v1/health/service/api", { token: "nope" });
    expect([answer.status, answer.text]).toEqual([403, "ACL not found"]);
  });

  it("filters reads of the anonymous token to nothing and refuses its writes", async () => {
    await start({ acl });
    await call("/v1/agent/service/register", { body: kratosBody("api-1"), token: "write-token" });
    const read = await health("");
    expect(read.json()).toEqual([]);
    expect(read.headers.get("x-consul-results-filtered-by-acls")).toBe("true");
    const write = await register("api-2");
    expect([write.status, write.text]).toEqual([403, expect.stringContaining("Permission denied")]);
  });

  it("lets a read token read and not write, and takes tokens from Bearer and ?token= too", async () => {
    await start({ acl });
    await call("/v1/agent/service/register", {
      body: kratosBody("api-1"),
      headers: { Authorization: "Bearer write-token" },
    });
    expect(ids(await call("/v1/health/service/api?token=read-token"))).toEqual(["api-1"]);
    expect(
      (await call("/v1/agent/check/pass/service:api-1", { method: "PUT", token: "read-token" })).status,
    ).toBe(403);
  });

  it("refuses ns and partition as the community edition does, and separates namespaces as Enterprise does", async () => {
    await start();
    const ce = await call("/v1/health/service/api?ns=team");
    expect([ce.status, ce.text]).toEqual([
      400,
      expect.stringContaining("Namespaces are a Consul Enterprise feature"),
    ]);
    expect((await call("/v1/health/service/api?partition=p")).status).toBe(400);
    await double.close();
    await start({ enterprise: true });
    await call("/v1/agent/service/register?ns=team", { body: kratosBody("api-1", { Checks: [] }) });
    expect(ids(await call("/v1/health/service/api?ns=team"))).toEqual(["api-1"]);
    expect(ids(await call("/v1/health/service/api"))).toEqual([]);
    expect((await call("/v1/health/service/api?ns=team")).json<Entry[]>()[0]?.Service.Namespace).toBe("team");
  });

  it("answers 500 No path to datacenter for another dc", async () => {
    await start({ datacenter: "east" });
    expect((await health("dc=east")).status).toBe(200);
    const other = await health("dc=west");
    expect([other.status, other.text]).toEqual([500, "No path to datacenter"]);
  });
});

describe("consul double: faults and outages", () => {
  it("plays status, reply, invalid JSON and index faults on matching requests only, as many times as asked", async () => {
    await start();
    double.injectFault({ kind: "status", status: 503, body: "busy" }, { path: "/v1/health/", times: 2 });
    expect((await call("/v1/agent/services")).status).toBe(200);
    expect((await health()).status).toBe(503);
    expect((await health()).text).toBe("busy");
    expect((await health()).status).toBe(200);
    double.injectFault({ kind: "invalid-json" });
    const invalid = await health();
    expect(() => JSON.parse(invalid.text)).toThrow();
    expect(invalid.headers.get("x-consul-index")).not.toBeNull();
    double.injectFault({ kind: "index", index: 0 });
    expect((await health()).headers.get("x-consul-index")).toBe("0");
    double.injectFault({ kind: "reply", body: '[{"Service":{"ID":"odd"}}]' });
    expect((await health()).json()).toEqual([{ Service: { ID: "odd" } }]);
  });

  it("cuts a truncated reply short and resets a connection, so the client sees a failure", async () => {
    await start();
    double.injectFault({ kind: "truncated" });
    await expect(health()).rejects.toThrow();
    double.injectFault({ kind: "reset" });
    await expect(health()).rejects.toThrow();
    expect((await health()).status).toBe(200);
  });

  it("delays an answer on its clock, and never answers a hanging request", async () => {
    await start();
    double.injectFault({ kind: "delay", ms: 2000 });
    const delayed = health();
    const request = await double.nextRequest();
    clock.advance(2000);
    expect((await delayed).status).toBe(200);
    expect(await request.outcome).toBe("answered");
    double.injectFault({ kind: "hang" });
    const abort = new AbortController();
    const hanging = fetch(`${double.url}/v1/health/service/api`, { signal: abort.signal });
    expect(await (await double.nextRequest()).outcome).toBe("faulted");
    abort.abort();
    await expect(hanging).rejects.toThrow(/abort/i);
  });

  it("refuses connections while down, drops held queries, and keeps its state when it comes back", async () => {
    await start();
    await register("api-1", { Checks: [] });
    const held = health(`index=${double.index()}&wait=1m`);
    const request = await double.nextRequest();
    await double.down();
    await expect(held).rejects.toThrow();
    expect(await request.outcome).toBe("aborted");
    await expect(health()).rejects.toThrow();
    await double.up();
    expect(ids(await health(""))).toEqual(["api-1"]);
  });

  it("forgets every service as a restarted dev agent does", async () => {
    await start();
    await register("api-1");
    double.forgetAll();
    expect(double.serviceIds()).toEqual([]);
    expect((await pass("service:api-1")).status).toBe(404);
  });
});

describe("parseGoDuration", () => {
  it.each([
    ["300ms", 300],
    ["5s", 5000],
    ["1m", 60_000],
    ["1.5h", 5_400_000],
    ["2h45m", 9_900_000],
    ["0", 0],
    ["-1s", -1000],
    ["1us", 0.001],
  ])("reads %s as %d ms", (text, ms) => {
    expect(parseGoDuration(text)).toBeCloseTo(ms, 6);
  });

  it.each(["", "5", "1x", "s", ".s", "1m5"])("rejects %j as Go does", (text) => {
    expect(parseGoDuration(text)).toBeUndefined();
  });
});
