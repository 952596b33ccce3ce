import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InvalidArgumentError, RegistryError } from "@switchyard/api";
import { Agent } from "undici";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { type ConsulFetch, type ConsulRegistry, createConsulRegistry } from "../src/index.js";

const quiet = { warn: () => {} };
let server: Server | undefined;
let registry: ConsulRegistry | undefined;

afterEach(async () => {
  await registry?.close();
  registry = undefined;
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** Answers every request as an agent with one instance of "api" would. */
function answer(req: IncomingMessage, res: ServerResponse): void {
  const body = JSON.stringify([
    {
      Node: { Address: "10.0.0.1" },
      Service: { ID: "api-1", Service: "api", Port: 80, Address: "" },
      Checks: [],
    },
  ]);
  res.writeHead(200, {
    "Content-Type": "application/json",
    "X-Consul-Index": "7",
    "X-Seen-Url": req.url ?? "",
  });
  res.end(body);
}

const listen = (s: Server): Promise<void> =>
  new Promise((resolve) => {
    server = s;
    s.listen(0, "127.0.0.1", () => resolve());
  });

describe("where the registry finds the agent", () => {
  it("reaches an agent on a unix socket", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "consul-")), "agent.sock");
    server = createHttpServer(answer);
    await new Promise<void>((resolve) => server?.listen(path, resolve));
    registry = createConsulRegistry({ address: `unix://${path}`, env: {}, logger: quiet });
    expect((await registry.getService("api")).map((i) => i.endpoints)).toEqual([["http://10.0.0.1:80"]]);
  });

  it("uses a custom fetch, passing a dispatcher only when one is configured", async () => {
    const calls: Array<{ url: string; dispatcher: unknown; token: string | undefined }> = [];
    const fakeFetch: ConsulFetch = async (url, init) => {
      calls.push({ url, dispatcher: init.dispatcher, token: init.headers["X-Consul-Token"] });
      return { status: 200, headers: new Headers({ "X-Consul-Index": "3" }), text: async () => "[]" };
    };
    registry = createConsulRegistry({
      address: "consul.internal:8500",
      fetch: fakeFetch,
      token: "t",
      env: {},
      logger: quiet,
    });
    await registry.getService("api");
    const dispatcher = new Agent();
    const withDispatcher = createConsulRegistry({ fetch: fakeFetch, dispatcher, env: {}, logger: quiet });
    await withDispatcher.getService("api");
    await withDispatcher.close();
    await dispatcher.close();
    expect(calls).toEqual([
      { url: "http://consul.internal:8500/v1/health/service/api?passing", dispatcher: undefined, token: "t" },
      { url: "http://127.0.0.1:8500/v1/health/service/api?passing", dispatcher, token: undefined },
    ]);
  });

  it("reads CONSUL_HTTP_SSL, CONSUL_HTTP_TOKEN_FILE, CONSUL_NAMESPACE and CONSUL_PARTITION", async () => {
    const dir = mkdtempSync(join(tmpdir(), "consul-"));
    writeFileSync(join(dir, "token"), "file-token\n");
    const urls: string[] = [];
    const tokens: Array<string | undefined> = [];
    const env = {
      CONSUL_HTTP_ADDR: "consul.internal:8501",
      CONSUL_HTTP_SSL: "true",
      CONSUL_HTTP_TOKEN_FILE: join(dir, "token"),
      CONSUL_NAMESPACE: "team",
      CONSUL_PARTITION: "p1",
    };
    const fakeFetch: ConsulFetch = async (url, init) => {
      urls.push(url);
      tokens.push(init.headers["X-Consul-Token"]);
      return { status: 200, headers: new Headers({ "X-Consul-Index": "3" }), text: async () => "[]" };
    };
    registry = createConsulRegistry({ env, fetch: fakeFetch, logger: quiet });
    await registry.getService("api");
    expect(urls).toEqual(["https://consul.internal:8501/v1/health/service/api?passing&ns=team&partition=p1"]);
    expect(tokens).toEqual(["file-token"]);
  });

  it("refuses an address it cannot use, and a TLS file it cannot read, naming the fix", () => {
    expect(() => createConsulRegistry({ address: "ftp://x", env: {} })).toThrow(
      /must use http, https or unix/,
    );
    expect(() => createConsulRegistry({ address: "http://[bad", env: {} })).toThrow(InvalidArgumentError);
    expect(() => createConsulRegistry({ env: { CONSUL_CACERT: "/nonexistent/ca.pem" } })).toThrow(
      /cannot read CONSUL_CACERT/,
    );
    expect(() => createConsulRegistry({ minimumHealth: "ok" as never })).toThrow(/minimumHealth/);
    expect(() => createConsulRegistry({ rateLimit: { burst: 0 } })).toThrow(/burst/);
  });

  it("refuses a clock without timers, a logger without warn and bad backoff options when it is created", () => {
    expect(() => createConsulRegistry({ clock: { now: () => 0 } as never, env: {} })).toThrow(
      /^consul: clock must have now\(\), setTimeout\(\) and clearTimeout\(\)/,
    );
    expect(() => createConsulRegistry({ logger: {} as never, env: {} })).toThrow(
      /^consul: logger must have a warn\(message, details\) method/,
    );
    expect(() => createConsulRegistry({ backoff: { initialMs: 5000, maxMs: 100 }, env: {} })).toThrow(
      /^consul: backoff\.initialMs \(5000\) must not exceed backoff\.maxMs \(100\)/,
    );
  });
});

function hasOpenssl(): boolean {
  try {
    execFileSync("openssl", ["version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

const openssl = hasOpenssl();
if (!openssl) console.log("registry-consul TLS tests skipped: no openssl binary to make a test certificate");
let certs: { cert: string; key: string; dir: string } | undefined;

describe.skipIf(!openssl)("TLS to the agent", () => {
  beforeAll(() => {
    const dir = mkdtempSync(join(tmpdir(), "consul-tls-"));
    execFileSync(
      "openssl",
      ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1"].concat([
        "-addext",
        "subjectAltName=IP:127.0.0.1",
        "-keyout",
        join(dir, "key.pem"),
        "-out",
        join(dir, "cert.pem"),
      ]),
      { stdio: "ignore" },
    );
    certs = {
      cert: readFileSync(join(dir, "cert.pem"), "utf8"),
      key: readFileSync(join(dir, "key.pem"), "utf8"),
      dir,
    };
  });

  async function startTls(requireClientCert: boolean): Promise<string> {
    const { cert, key } = certs!;
    const tls = createHttpsServer(
      { cert, key, ca: cert, requestCert: requireClientCert, rejectUnauthorized: requireClientCert },
      answer,
    );
    await listen(tls);
    return `https://127.0.0.1:${(tls.address() as AddressInfo).port}`;
  }

  it("trusts the agent's certificate through the given CA, and refuses it without", async () => {
    const url = await startTls(false);
    registry = createConsulRegistry({ address: url, tls: { ca: certs!.cert }, env: {}, logger: quiet });
    expect(await registry.getService("api")).toHaveLength(1);
    const untrusting = createConsulRegistry({ address: url, env: {}, logger: quiet });
    const error = await untrusting.getService("api").catch((e: unknown) => e);
    await untrusting.close();
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as Error).message).toMatch(/cannot reach the agent.*certificate/i);
  });

  it("presents a client certificate from CONSUL_CACERT, CONSUL_CLIENT_CERT and CONSUL_CLIENT_KEY", async () => {
    const url = await startTls(true);
    const env = {
      CONSUL_HTTP_ADDR: url,
      CONSUL_CACERT: join(certs!.dir, "cert.pem"),
      CONSUL_CLIENT_CERT: join(certs!.dir, "cert.pem"),
      CONSUL_CLIENT_KEY: join(certs!.dir, "key.pem"),
    };
    registry = createConsulRegistry({ env, logger: quiet });
    expect(await registry.getService("api")).toHaveLength(1);
  });
});
