import { RegistryError, systemClock } from "@switchyard/api";
import { pendingHolds } from "@switchyard/kit";
import { createFakeClock } from "@switchyard/testkit";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { DnsClient } from "../src/client.js";
import { createDnsDiscovery, type DnsDiscoveryOptions } from "../src/index.js";
import { TYPE_A, TYPE_AAAA, TYPE_SRV } from "../src/message.js";
import { resolveTarget } from "../src/resolve.js";
import { parseServer } from "../src/settings.js";
import { parseTarget } from "../src/target.js";
import { type Dnsmasq, startDnsmasq } from "./dnsmasq.js";
import { idsOf, recordingLogger } from "./helpers.js";
import { type Script, startScriptedServer, type TestDnsServer } from "./udp-servers.js";
import { encodeReply } from "./wire.js";

let dns: Dnsmasq;
beforeAll(async () => {
  dns = await startDnsmasq();
});
afterAll(() => dns?.stop());

function discovery(options: DnsDiscoveryOptions = {}) {
  return createDnsDiscovery({ servers: [dns.server], logger: recordingLogger(), ...options });
}

async function scripted(script: Script): Promise<TestDnsServer> {
  const server = await startScriptedServer(script);
  onTestFinished(() => server.close());
  return server;
}

/** A client of the test's own servers, for what the discovery does not show (TTLs). */
function clientOf(...servers: string[]): DnsClient {
  return new DnsClient({
    servers: servers.map((server) => parseServer(server, "test")),
    timeoutMs: 2000,
    attempts: 1,
    clock: systemClock,
  });
}

describe("SRV names", () => {
  it("give one instance per target address and port, with weight, priority and target in metadata", async () => {
    await dns.setRecords({
      srv: [
        { name: "_grpc._tcp.api.test", target: "a.api.test", port: 9000, weight: 10 },
        { name: "_grpc._tcp.api.test", target: "b.api.test", port: 9001, weight: 30 },
      ],
      hosts: { "a.api.test": ["10.0.0.1", "fd00::1"], "b.api.test": ["10.0.0.2"] },
    });
    const list = await discovery().getService("_grpc._tcp.api.test");
    expect(list).toEqual([
      {
        id: "10.0.0.1:9000",
        name: "_grpc._tcp.api.test",
        version: "",
        metadata: { weight: "10", priority: "0", target: "a.api.test" },
        endpoints: ["grpc://10.0.0.1:9000"],
      },
      {
        id: "10.0.0.2:9001",
        name: "_grpc._tcp.api.test",
        version: "",
        metadata: { weight: "30", priority: "0", target: "b.api.test" },
        endpoints: ["grpc://10.0.0.2:9001"],
      },
      {
        id: "[fd00::1]:9000",
        name: "_grpc._tcp.api.test",
        version: "",
        metadata: { weight: "10", priority: "0", target: "a.api.test" },
        endpoints: ["grpc://[fd00::1]:9000"],
      },
    ]);
    expect(Object.isFrozen(list) && Object.isFrozen(list[0]) && Object.isFrozen(list[0]?.metadata)).toBe(
      true,
    );
    expect(Object.getPrototypeOf(list[0]?.metadata)).toBeNull();
  });

  it("use only the lowest priority class, and the next one when no target of the lowest has an address", async () => {
    await dns.setRecords({
      srv: [
        { name: "_http._tcp.api.test", target: "primary.api.test", port: 80, priority: 1 },
        { name: "_http._tcp.api.test", target: "backup.api.test", port: 80, priority: 2 },
      ],
      hosts: { "primary.api.test": ["10.0.0.1"], "backup.api.test": ["10.0.0.2"] },
    });
    const api = discovery();
    expect(idsOf(await api.getService("_http._tcp.api.test"))).toEqual(["10.0.0.1:80"]);
    await dns.setHosts({ "backup.api.test": ["10.0.0.2"] }); // the primary's name is gone
    const list = await api.getService("_http._tcp.api.test");
    expect(idsOf(list)).toEqual(["10.0.0.2:80"]);
    expect(list[0]?.metadata.priority).toBe("2");
  });

  it("take target addresses from the additional section, asking nothing more", async () => {
    await dns.setRecords({
      srv: [{ name: "_http._tcp.extra.test", target: "a.extra.test", port: 80 }],
      hosts: { "a.extra.test": ["10.0.0.1"] },
    });
    const before = dns.queries().length;
    expect(idsOf(await discovery().getService("_http._tcp.extra.test"))).toEqual(["10.0.0.1:80"]);
    expect(dns.queries().slice(before)).toEqual(["SRV _http._tcp.extra.test"]);
  });

  it("ask for the addresses of targets the additional section leaves out", async () => {
    const server = await scripted(({ id, name, qtype }) => {
      if (qtype === TYPE_SRV) {
        return encodeReply({ id, name, qtype, answers: [{ type: "SRV", name, port: 80, target: "a.test" }] });
      }
      const answers = qtype === TYPE_A ? [{ type: "A" as const, name, address: "10.0.0.9" }] : [];
      return encodeReply({ id, name, qtype, answers });
    });
    const list = await discovery({ servers: [server.address] }).getService("_http._tcp.svc.test");
    expect(idsOf(list)).toEqual(["10.0.0.9:80"]);
    expect(server.queries.map((q) => `${q.qtype} ${q.name}`).sort()).toEqual([
      `${TYPE_A} a.test`,
      `${TYPE_AAAA} a.test`,
      `${TYPE_SRV} _http._tcp.svc.test`,
    ]);
  });

  it("read a target of '.' as a service that is not offered", async () => {
    const server = await scripted(({ id, name, qtype }) =>
      encodeReply({ id, name, qtype, answers: [{ type: "SRV", name, port: 0, target: "" }] }),
    );
    expect(await discovery({ servers: [server.address] }).getService("_http._tcp.svc.test")).toEqual([]);
  });

  it("are asked again over TCP when the UDP reply is truncated", async () => {
    const count = 80; // about 3 kB of records: more than the 1232 bytes offered over UDP
    const targets = Array.from({ length: count }, (_, i) => `instance-with-a-long-name-${i}.big.test`);
    await dns.setRecords({
      srv: targets.map((target, i) => ({ name: "_http._tcp.big.test", target, port: 8000 + i })),
      hosts: Object.fromEntries(targets.map((target, i) => [target, [`10.0.${i >> 8}.${i & 255}`]])),
    });
    const list = await discovery({ family: 4 }).getService("_http._tcp.big.test");
    expect(list).toHaveLength(count);
    expect(list.map((instance) => instance.endpoints[0])).toContain("http://10.0.0.79:8079");
  });
});

describe("names with a port", () => {
  it("give one instance per A and AAAA address", async () => {
    await dns.setRecords({ hosts: { "web.test": ["10.0.0.1", "10.0.0.2", "fd00::7"] } });
    const list = await discovery({
      services: { web: { name: "web.test:8443", scheme: "https" } },
    }).getService("web");
    expect(list).toEqual([
      { id: "10.0.0.1:8443", name: "web", version: "", metadata: {}, endpoints: ["https://10.0.0.1:8443"] },
      { id: "10.0.0.2:8443", name: "web", version: "", metadata: {}, endpoints: ["https://10.0.0.2:8443"] },
      { id: "[fd00::7]:8443", name: "web", version: "", metadata: {}, endpoints: ["https://[fd00::7]:8443"] },
    ]);
  });

  it("read only A records with family 4 and only AAAA records with family 6", async () => {
    await dns.setRecords({ hosts: { "web.test": ["10.0.0.1", "fd00::7"] } });
    expect(idsOf(await discovery({ family: 4 }).getService("web.test:80"))).toEqual(["10.0.0.1:80"]);
    expect(idsOf(await discovery({ family: 6 }).getService("web.test:80"))).toEqual(["[fd00::7]:80"]);
  });

  it("follow a CNAME chain in the answer", async () => {
    const server = await scripted(({ id, name, qtype }) =>
      encodeReply({
        id,
        name,
        qtype,
        answers: [
          { type: "CNAME", name, target: "b.test" },
          { type: "CNAME", name: "b.test", target: "c.test" },
          { type: "A", name: "c.test", address: "10.0.0.3" },
          { type: "A", name: "unrelated.test", address: "10.9.9.9" },
        ],
      }),
    );
    const list = await discovery({ servers: [server.address], family: 4 }).getService("a.test:80");
    expect(idsOf(list)).toEqual(["10.0.0.3:80"]);
  });
});

describe("answers that are not records", () => {
  it("read NXDOMAIN as no instances", async () => {
    await dns.setRecords({ hosts: {} });
    expect(await discovery().getService("_grpc._tcp.nothing.test")).toEqual([]);
    expect(await discovery().getService("nothing.test:80")).toEqual([]);
  });

  it("read a name without records of the type (NODATA) as no instances", async () => {
    await dns.setRecords({ hosts: { "v4only.test": ["10.0.0.1"] } });
    expect(await discovery({ family: 6 }).getService("v4only.test:80")).toEqual([]);
  });
});

describe("TTLs", () => {
  it("are the smallest TTL of the records read", async () => {
    const server = await scripted(({ id, name, qtype }) =>
      qtype === TYPE_SRV
        ? encodeReply({
            id,
            name,
            qtype,
            answers: [{ type: "SRV", name, ttl: 30, port: 80, target: "a.test" }],
            additional: [{ type: "A", name: "a.test", ttl: 7, address: "10.0.0.1" }],
          })
        : encodeReply({ id, name, qtype }),
    );
    const target = parseTarget("_http._tcp.svc.test", "test");
    expect((await resolveTarget(clientOf(server.address), target, "svc", 0, undefined)).ttl).toBe(7);
  });

  it("of a negative answer are those of its SOA: the smaller of the record's TTL and its minimum", async () => {
    const server = await scripted(({ id, name, qtype }) =>
      encodeReply({
        id,
        name,
        qtype,
        rcode: 3,
        authority: [{ type: "SOA", name: "test", ttl: 60, minimum: 15 }],
      }),
    );
    const resolution = await resolveTarget(
      clientOf(server.address),
      parseTarget("gone.test:80", "t"),
      "x",
      4,
      undefined,
    );
    expect(resolution).toEqual({ instances: [], ttl: 15 });
  });

  it("are unknown for a negative answer without an SOA", async () => {
    const resolution = await resolveTarget(
      clientOf(dns.server),
      parseTarget("gone.test:80", "t"),
      "x",
      4,
      undefined,
    );
    expect(resolution).toEqual({ instances: [], ttl: undefined });
  });

  it("come from dnsmasq's records as it serves them", async () => {
    await dns.setRecords({ ttl: 42, hosts: { "web.test": ["10.0.0.1"] } });
    const resolution = await resolveTarget(
      clientOf(dns.server),
      parseTarget("web.test:80", "t"),
      "x",
      0,
      undefined,
    );
    expect(resolution.ttl).toBe(42);
  });
});

describe("servers", () => {
  it("are asked over IPv6 (::1)", async () => {
    await dns.setRecords({ hosts: { "web.test": ["10.0.0.1"] } });
    expect(idsOf(await discovery({ servers: [dns.server6] }).getService("web.test:80"))).toEqual([
      "10.0.0.1:80",
    ]);
  });

  it("pass the question on after SERVFAIL, a malformed reply, or no reply within the timeout", async () => {
    await dns.setRecords({ hosts: { "web.test": ["10.0.0.1"] } });
    const servfail = await scripted(({ id, name, qtype }) => encodeReply({ id, name, qtype, rcode: 2 }));
    const garbage = await scripted(({ id }) => Buffer.from([id >> 8, id & 255, 0x81, 0x80, 0, 1]));
    const silent = await scripted(() => undefined);
    const clock = createFakeClock();
    const api = discovery({
      servers: [servfail.address, garbage.address, silent.address, dns.server],
      family: 4,
      clock,
      timeoutMs: 500,
    });
    const pending = api.getService("web.test:80");
    await silent.received(1);
    clock.advance(500);
    expect(idsOf(await pending)).toEqual(["10.0.0.1:80"]);
    expect([servfail, garbage, silent].map((server) => server.queries.length)).toEqual([1, 1, 1]);
  });

  it("are each tried `attempts` times, then getService rejects with a RegistryError saying what each did", async () => {
    const silent = await scripted(() => undefined);
    const refusing = await scripted(({ id, name, qtype }) => encodeReply({ id, name, qtype, rcode: 5 }));
    const clock = createFakeClock();
    const api = discovery({
      servers: [silent.address, refusing.address],
      family: 4,
      clock,
      timeoutMs: 500,
      attempts: 2,
    });
    const pending = api.getService("web.test:80");
    const failure = pending.catch((error: unknown) => error);
    await silent.received(1);
    clock.advance(500);
    await silent.received(2);
    clock.advance(500);
    const error = await failure;
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as RegistryError).retryable).toBe(true);
    expect((error as Error).message).toBe(
      `dns: no server answered A web.test (${silent.address}: ${silent.address} did not answer over UDP within 500 ms; ${refusing.address} answered REFUSED); check that the servers are reachable and serve this name`,
    );
    expect(refusing.queries).toHaveLength(2);
  });

  it("ignore a datagram with another id or question, and take the real reply after it", async () => {
    const server = await scripted(({ id, name, qtype }) => [
      encodeReply({ id: (id + 1) & 0xffff, name, qtype, answers: [{ type: "A", name, address: "6.6.6.6" }] }),
      encodeReply({
        id,
        name: "other.test",
        qtype,
        answers: [{ type: "A", name: "other.test", address: "6.6.6.7" }],
      }),
      encodeReply({ id, name, qtype, answers: [{ type: "A", name, address: "10.0.0.1" }] }),
    ]);
    expect(idsOf(await discovery({ servers: [server.address], family: 4 }).getService("a.test:80"))).toEqual([
      "10.0.0.1:80",
    ]);
  });
});

describe("getService", () => {
  it("rejects with the signal's reason when it aborts while a query waits, and holds the process until then", async () => {
    const silent = await scripted(() => undefined);
    const controller = new AbortController();
    const holds = pendingHolds();
    const pending = discovery({ servers: [silent.address], clock: createFakeClock() }).getService(
      "a.test:80",
      {
        signal: controller.signal,
      },
    );
    await silent.received(1);
    expect(pendingHolds()).toBe(holds + 1);
    const reason = new Error("caller gave up");
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    expect(pendingHolds()).toBe(holds);
  });

  it("rejects with a RegistryError after close()", async () => {
    const api = discovery();
    await api.close();
    await expect(api.getService("a.test:80")).rejects.toThrow(
      /^dns: getService was called after close\(\); create a new discovery$/,
    );
  });
});
