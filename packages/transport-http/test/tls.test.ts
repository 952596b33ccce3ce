import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createMemoryRegistry } from "@switchyard/registry-memory";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createClient } from "../src/client.js";

// A certificate for the service's DNS name only (not the node's IP), made with openssl, which
// every machine that runs these tests has (Debian base image).
let server: Server;
let port = 0;
let cert = "";
let closers: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), "switchyard-tls-"));
  execFileSync(
    "openssl",
    ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=hello.svc"].concat([
      "-addext",
      "subjectAltName=DNS:hello.svc",
      "-keyout",
      join(dir, "key.pem"),
      "-out",
      join(dir, "cert.pem"),
    ]),
    { stdio: "ignore" },
  );
  cert = readFileSync(join(dir, "cert.pem"), "utf8");
  const key = readFileSync(join(dir, "key.pem"), "utf8");
  server = createServer({ cert, key }, (req, res) => res.end(`tls ${req.headers.host}`));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  for (const close of closers) await close();
  closers = [];
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

async function clientWith(tls: { ca?: string; servername?: string }) {
  const registry = createMemoryRegistry();
  await registry.register({
    id: "a",
    name: "hello",
    version: "1",
    metadata: {},
    endpoints: [`http://127.0.0.1:${port}?isSecure=true`],
  });
  const client = await createClient({
    endpoint: "discovery:///hello",
    discovery: registry,
    block: true,
    tls,
  });
  closers.push(
    () => client.destroy(),
    () => registry.close(),
  );
  return client;
}

it("dials isSecure endpoints over TLS, checking the certificate against the given CA and servername", async () => {
  const client = await clientWith({ ca: cert, servername: "hello.svc" });
  const reply = await client.request("/");
  expect(await reply.body.text()).toBe(`tls 127.0.0.1:${port}`);
});

it("refuses a server whose certificate does not match, without a servername", async () => {
  const client = await clientWith({ ca: cert });
  await expect(client.request("/")).rejects.toThrow(/IP: 127.0.0.1 is not in the cert's list|altnames/);
});

it("refuses a certificate from an untrusted CA", async () => {
  const client = await clientWith({ servername: "hello.svc" });
  await expect(client.request("/")).rejects.toThrow(/self[- ]signed|unable to verify/i);
});
