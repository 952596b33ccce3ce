import { inspect } from "node:util";
import { InvalidArgumentError } from "@switchyard/api";
import { describe, expect, it } from "vitest";
import { createDnsDiscovery, type DnsDiscoveryOptions } from "../src/index.js";
import { parseServer } from "../src/settings.js";
import { parseTarget } from "../src/target.js";

const servers = ["127.0.0.1:5353"];

describe("parseTarget", () => {
  it.each([
    [
      "_grpc._tcp.api.default.svc.cluster.local",
      { kind: "srv", name: "_grpc._tcp.api.default.svc.cluster.local", scheme: "grpc" },
    ],
    ["_HTTP._tcp.Api.test.", { kind: "srv", name: "_http._tcp.api.test", scheme: "http" }],
    ["_https._tcp.api.test", { kind: "srv", name: "_https._tcp.api.test", scheme: "https" }],
    ["_grpcs._tcp.api.test", { kind: "srv", name: "_grpcs._tcp.api.test", scheme: "grpcs" }],
    ["_grpc-api._tcp.api.test", { kind: "srv", name: "_grpc-api._tcp.api.test", scheme: "grpc" }],
    ["_http-metrics._udp.api.test", { kind: "srv", name: "_http-metrics._udp.api.test", scheme: "http" }],
    ["api.internal:8080", { kind: "address", name: "api.internal", port: 8080, scheme: "http" }],
    ["API.internal.:443", { kind: "address", name: "api.internal", port: 443, scheme: "http" }],
    ["localhost:1", { kind: "address", name: "localhost", port: 1, scheme: "http" }],
  ])("reads %s", (text, expected) => {
    expect(parseTarget(text, "here")).toEqual(expected);
  });

  it("takes the scheme from { name, scheme }", () => {
    expect(parseTarget({ name: "api.internal:9000", scheme: "grpc" }, "here")).toEqual({
      kind: "address",
      name: "api.internal",
      port: 9000,
      scheme: "grpc",
    });
    expect(parseTarget({ name: "_web._tcp.api.test", scheme: "https" }, "here")).toMatchObject({
      scheme: "https",
    });
  });

  it.each([
    [
      "api",
      /"api" has no port: write "api:<port>" for its A\/AAAA records, or an SRV name such as "_grpc._tcp.api"/,
    ],
    [
      "_web._tcp.api.test",
      /does not tell the scheme of its endpoints \(port name "web"\); give it as \{ name: "_web._tcp.api.test", scheme: "http" \}/,
    ],
    ["_grpc-web._tcp.api.test", /port name "grpc-web"/],
    ["_grpc._tcp.api.test:80", /is an SRV name, whose records carry the ports: leave out ":80"/],
    ["api.test:0", /no valid port after the colon \(1 to 65535\)/],
    ["api.test:65536", /no valid port/],
    ["api.test:http", /no valid port/],
    [
      "10.0.0.5:8080",
      /is an address, not a name: DNS has nothing to resolve; list fixed addresses with createStaticDiscovery/,
    ],
    ["[::1]:8080", /is an address, not a name/],
    ["::1", /is an address, not a name/],
    ["", /"" is not a DNS name/],
    ["a..b:80", /is not a DNS name: each dot-separated label has 1 to 63/],
    [`${"a".repeat(64)}.test:80`, /is not a DNS name/],
    [`${"abcdefgh.".repeat(32)}test:80`, /longer than the 253 characters/],
    ["bücher.test:80", /write internationalised names in punycode/],
    ["-api.test:80", /is not a DNS name/],
    [
      42,
      /expected a DNS name such as "_grpc._tcp.api.default.svc.cluster.local" or "api.internal:8080", or \{ name, scheme \}, got 42/,
    ],
    [{ name: 42 }, /got \{ name: 42 \}/],
    [
      { name: "api.test:80", scheme: "GRPC" },
      /scheme must be a URL scheme in lower case such as "grpc", got "GRPC"/,
    ],
  ])("refuses %s, saying what to write", (value, message) => {
    const error = (() => {
      try {
        parseTarget(value, "dns: here");
      } catch (thrown) {
        return thrown;
      }
    })();
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as Error).message).toMatch(/^dns: here: /);
    expect((error as Error).message).toMatch(message);
  });
});

describe("parseServer", () => {
  it.each([
    ["10.96.0.10", { host: "10.96.0.10", port: 53, family: 4, label: "10.96.0.10:53" }],
    ["10.96.0.10:5353", { host: "10.96.0.10", port: 5353, family: 4, label: "10.96.0.10:5353" }],
    ["::1", { host: "::1", port: 53, family: 6, label: "[::1]:53" }],
    ["[::1]", { host: "::1", port: 53, family: 6, label: "[::1]:53" }],
    ["[fd00::10]:5353", { host: "fd00::10", port: 5353, family: 6, label: "[fd00::10]:5353" }],
  ])("reads %s", (text, expected) => {
    expect(parseServer(text, "here")).toEqual(expected);
  });

  it.each([
    ["dns.google", /is not an IP address \(a DNS server cannot be given by name\)/],
    ["dns.google:53", /is not an IP address/],
    ["[10.0.0.1]:53", /has brackets around an address that is not IPv6/],
    ["10.0.0.1:0", /has no valid port/],
    ["10.0.0.1:x", /has no valid port/],
    [53, /is not a string/],
  ])("refuses %s", (value, message) => {
    expect(() => parseServer(value, "here")).toThrow(InvalidArgumentError);
    expect(() => parseServer(value, "here")).toThrow(message);
  });
});

describe("createDnsDiscovery options", () => {
  it.each<[string, DnsDiscoveryOptions, RegExp]>([
    ["servers that are empty", { servers: [] }, /servers is empty; give at least one, or leave it out/],
    ["a server that is a name", { servers: ["ns.test"] }, /servers\[0\]: "ns.test" is not an IP address/],
    [
      "servers that are not strings",
      { servers: 53 as never },
      /servers must be a string or an array of strings/,
    ],
    ["a family of 5", { servers, family: 5 as never }, /family must be 0, 4 or 6, got 5/],
    ["a minIntervalMs of 0", { servers, minIntervalMs: 0 }, /minIntervalMs must be a positive number/],
    [
      "a NaN maxIntervalMs",
      { servers, maxIntervalMs: Number.NaN },
      /maxIntervalMs must be a positive number/,
    ],
    [
      "a minIntervalMs above maxIntervalMs",
      { servers, minIntervalMs: 5000, maxIntervalMs: 1000 },
      /minIntervalMs \(5000\) must not exceed maxIntervalMs \(1000\)/,
    ],
    ["a timeoutMs of -1", { servers, timeoutMs: -1 }, /timeoutMs must be a positive number/],
    ["attempts of 1.5", { servers, attempts: 1.5 }, /attempts must be a whole number ≥ 1/],
    [
      "a backoff jitter of 2",
      { servers, backoff: { jitter: 2 } },
      /backoff.jitter must be a fraction from 0 to 1/,
    ],
    ["a logger without warn", { servers, logger: {} as never }, /logger must have a warn/],
    ["a clock without now", { servers, clock: {} as never }, /clock must have now\(\)/],
    [
      "services that are an array",
      { servers, services: [] as never },
      /services must map service names to DNS names, such as \{ api: "_grpc._tcp.api.default.svc.cluster.local" \}, or be a function; got an array/,
    ],
    [
      "a service without a port",
      { servers, services: { api: "api.test" } },
      /services\["api"\]: "api.test" has no port/,
    ],
    [
      "an empty service name",
      { servers, services: { "": "api.test:80" } },
      /services has an empty service name/,
    ],
  ])("refuses %s with an InvalidArgumentError naming the option", (_, options, message) => {
    expect(() => createDnsDiscovery(options)).toThrow(InvalidArgumentError);
    expect(() => createDnsDiscovery(options)).toThrow(/^dns: createDnsDiscovery: /);
    expect(() => createDnsDiscovery(options)).toThrow(message);
  });

  it("shows its servers, services and watcher count to console.log", () => {
    const discovery = createDnsDiscovery({
      servers: ["127.0.0.1:5353", "::1"],
      services: { web: "web.test:80" },
    });
    expect(inspect(discovery, { breakLength: Number.POSITIVE_INFINITY })).toBe(
      "DnsDiscovery { servers: [ '127.0.0.1:5353', '[::1]:53' ], services: [ 'web' ], watchers: 0 }",
    );
  });

  it("takes the system's servers when none are given", () => {
    expect(() => createDnsDiscovery()).not.toThrow();
  });

  it("refuses in watch() and getService() a service that maps to no DNS name, saying how to map it", async () => {
    const discovery = createDnsDiscovery({ servers, services: { web: "web.test:80" } });
    expect(() => discovery.watch("api")).toThrow(InvalidArgumentError);
    expect(() => discovery.watch("api")).toThrow(
      /^dns: watch\("api"\): no entry in the services option, and the name itself: "api" has no port: write "api:<port>"/,
    );
    await expect(discovery.getService("api")).rejects.toThrow(
      /^dns: getService\("api"\): no entry in the services option/,
    );
    expect(() => discovery.watch("")).toThrow(/the service name must be a non-empty string/);
  });

  it("refuses what a services function returns when it is no target, and reports its throw with the cause", () => {
    const cause = new Error("boom");
    const discovery = createDnsDiscovery({
      servers,
      services: (service) => {
        if (service === "bad") return "bad.test";
        if (service === "throws") throw cause;
        return undefined;
      },
    });
    expect(() => discovery.watch("bad")).toThrow(
      /^dns: watch\("bad"\): the services function returned a bad target: "bad.test" has no port/,
    );
    let thrown: unknown;
    try {
      discovery.watch("throws");
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidArgumentError);
    expect((thrown as Error).message).toBe('dns: watch("throws"): the services function threw: boom; fix it');
    expect((thrown as Error).cause).toBe(cause);
  });
});
