import { InvalidArgumentError } from "@switchyard/api";
import { Etcd3 } from "etcd3";
import { describe, expect, it } from "vitest";
import { createEtcdRegistry, type EtcdRegistryOptions } from "../src/index.js";

describe("etcd registry options", () => {
  const bad: [string, unknown, RegExp][] = [
    ["options that are not an object", 42, /options must be an object/],
    [
      "an endpoint with a path",
      { endpoints: "http://h:2379/v3" },
      /endpoint "http:\/\/h:2379\/v3" is not a client URL/,
    ],
    ["an endpoint of another scheme", { endpoints: "grpc://h:2379" }, /is not a client URL/],
    ["no endpoints", { endpoints: [] }, /endpoints must be a client URL or a non-empty array/],
    ["http and https endpoints mixed", { endpoints: ["http://a:1", "https://b:1"] }, /all https or all http/],
    [
      "tls with http endpoints",
      { endpoints: "http://a:1", tls: {} },
      /tls is set but the endpoints are http/,
    ],
    ["a client certificate without its key", { tls: { cert: "PEM" } }, /tls\.cert and tls\.key go together/],
    [
      "auth without a username",
      { auth: { username: "", password: "p" } },
      /auth must be \{ username, password \}/,
    ],
    ["a lease TTL under a second", { leaseTtlMs: 500 }, /leaseTtlMs must be at least 1000/],
    ["a negative request timeout", { requestTimeoutMs: -1 }, /requestTimeoutMs must be a finite number/],
    [
      "a backoff that starts above its cap",
      { backoff: { initialMs: 5000, maxMs: 100 } },
      /initialMs \(5000\) must not exceed/,
    ],
    ["a jitter above 1", { backoff: { jitter: 2 } }, /backoff\.jitter must be a fraction/],
    ["a logger without warn", { logger: {} }, /logger must have a warn/],
    [
      "a clock without timers",
      { clock: { now: () => 0 } },
      /clock must have now\(\), setTimeout\(\) and clearTimeout\(\)/,
    ],
    ["a namespace that is not a string", { namespace: 7 }, /namespace must be a string/],
  ];
  it.each(bad)("rejects %s with an InvalidArgumentError that says what to write", (_, options, message) => {
    let thrown: unknown;
    try {
      createEtcdRegistry(options as EtcdRegistryOptions);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidArgumentError);
    expect((thrown as Error).message).toMatch(/^etcd: createEtcdRegistry: /);
    expect((thrown as Error).message).toMatch(message);
  });

  it("refuses a client together with connection options, and never puts the password in the message", () => {
    const client = new Etcd3({ hosts: "127.0.0.1:1" });
    try {
      const options = { client, auth: { username: "u", password: "s3cret" } };
      expect(() => createEtcdRegistry(options)).toThrow(/pass either client or endpoints\/auth\/tls/);
      expect(() => createEtcdRegistry({ auth: { username: "", password: "s3cret" } })).not.toThrow(/s3cret/);
    } finally {
      client.close();
    }
  });

  it("accepts bare host:port endpoints, https with tls, and a client of the caller's", async () => {
    const client = new Etcd3({ hosts: "127.0.0.1:1" });
    const registries = [
      createEtcdRegistry({ endpoints: ["10.0.0.1:2379", "etcd-2"] }),
      createEtcdRegistry({ endpoints: "etcd.internal:2379", tls: { ca: "PEM", servername: "etcd" } }),
      createEtcdRegistry({ client, namespace: "/svc/", leaseTtlMs: 1500 }),
    ];
    for (const registry of registries) await registry.close();
    expect(() => client.kv).not.toThrow(); // close() leaves a client it was given open
    client.close();
  });
});
