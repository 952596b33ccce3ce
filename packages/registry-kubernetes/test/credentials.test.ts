import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InvalidArgumentError, type RegistryError } from "@switchyard/api";
import { createFakeClock } from "@switchyard/testkit";
import { type KubernetesDouble, startKubernetesDouble } from "@switchyard/testkit/kubernetes";
import { afterEach, describe, expect, it } from "vitest";
import {
  createKubernetesDiscovery,
  type KubernetesDiscovery,
  type KubernetesDiscoveryOptions,
} from "../src/index.js";
import { quiet } from "./helpers.js";

let double: KubernetesDouble;
let dir: string;
const opened: KubernetesDiscovery[] = [];

afterEach(async () => {
  await Promise.all(opened.splice(0).map((d) => d.close()));
  await double?.close();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

const TOKEN = "sa-token-5f1e9c2b7a";

async function start(): Promise<void> {
  dir = mkdtempSync(join(tmpdir(), "switchyard-kube-creds-"));
  double = await startKubernetesDouble({
    tls: true,
    users: [
      { name: "system:serviceaccount:apps:api-client", token: TOKEN },
      { name: "other", token: "other-token-0000" },
      { name: "switchyard-client" },
      {
        name: "pods-only",
        token: "pods-only-token",
        rules: [{ verbs: ["list", "watch"], resources: ["pods"] }],
      },
    ],
  });
  double.apply({
    kind: "EndpointSlice",
    metadata: { name: "api-x", namespace: "apps", labels: { "kubernetes.io/service-name": "api" } },
    addressType: "IPv4",
    ports: [{ name: "http", port: 8080 }],
    endpoints: [
      { addresses: ["10.0.0.1"], conditions: { ready: true }, targetRef: { kind: "Pod", name: "api-1" } },
    ],
  });
}

function discovery(options: KubernetesDiscoveryOptions): KubernetesDiscovery {
  const created = createKubernetesDiscovery({ logger: quiet, env: {}, ...options });
  opened.push(created);
  return created;
}

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** The rejection of `promise` (a failure when it resolves). */
async function refusal(promise: Promise<unknown>): Promise<RegistryError> {
  return promise.then(
    () => {
      throw new Error("resolved, expected a rejection");
    },
    (error: RegistryError) => error,
  );
}

const authorizations = (): string[] => double.requests.map((r) => r.headers.authorization ?? "(none)");

describe("credentials from a kubeconfig", () => {
  it("uses the current context's cluster, CA, token and namespace", async () => {
    await start();
    const kubeconfig = file("config", double.kubeconfig({ token: TOKEN, namespace: "apps" }));
    const api = discovery({ env: { KUBECONFIG: kubeconfig } });
    expect((await api.getService("api")).map((i) => i.id)).toEqual(["api-1"]);
    expect(double.requests[0]!.path).toBe("/apis/discovery.k8s.io/v1/namespaces/apps/endpointslices");
    expect(authorizations()).toEqual([`Bearer ${TOKEN}`]);
  });

  it("merges a KUBECONFIG list as kubectl does: the first file to set a value wins, missing files are skipped", async () => {
    await start();
    const full = double.kubeconfig({ token: TOKEN, namespace: "apps" });
    const first = file("first", "apiVersion: v1\nkind: Config\ncurrent-context: double\n");
    const second = file("second", full.replace("current-context: double", "current-context: elsewhere"));
    const api = discovery({ env: { KUBECONFIG: [first, join(dir, "missing"), second].join(":") } });
    expect(await api.getService("api")).toHaveLength(1);
  });

  it("authenticates with the kubeconfig user's client certificate", async () => {
    await start();
    const api = discovery({
      kubeconfig: file("config", double.kubeconfig({ clientCertificate: true, namespace: "apps" })),
    });
    expect(await api.getService("api")).toHaveLength(1);
    expect(authorizations()).toEqual(["(none)"]);
  });

  it("refuses a missing context, an auth-provider and a cluster it cannot find, saying what to do", async () => {
    await start();
    const kubeconfig = file("config", double.kubeconfig({ token: TOKEN }));
    expect(() => discovery({ kubeconfig, context: "prod" })).toThrow(/has no context "prod"/);
    const oidc = file(
      "oidc",
      double.kubeconfig().replace("  user: {}", "  user:\n    auth-provider:\n      name: oidc"),
    );
    expect(() => discovery({ kubeconfig: oidc })).toThrow(/auth-provider "oidc".*exec plugin/);
    const proxied = file(
      "proxied",
      double.kubeconfig().replace("    server:", "    proxy-url: http://proxy:3128\n    server:"),
    );
    expect(() => discovery({ kubeconfig: proxied })).toThrow(/proxy-url/);
    expect(() => discovery({ env: { HOME: dir } })).toThrow(InvalidArgumentError);
    expect(() => discovery({ env: { HOME: dir } })).toThrow(/set KUBECONFIG or pass server/);
  });

  it("refuses a server whose certificate it cannot verify, unless told to skip verification", async () => {
    await start();
    const noCa = double
      .kubeconfig({ token: TOKEN, namespace: "apps" })
      .replace(/ {4}certificate-authority-data: .*\n/, "");
    await expect(discovery({ kubeconfig: file("a", noCa) }).getService("api")).rejects.toMatchObject({
      retryable: true,
    });
    const skipping = noCa.replace("    server:", "    insecure-skip-tls-verify: true\n    server:");
    expect(await discovery({ kubeconfig: file("b", skipping) }).getService("api")).toHaveLength(1);
  });
});

describe("credentials in a pod", () => {
  it("uses the service account's token, CA and namespace when KUBERNETES_SERVICE_HOST is set", async () => {
    await start();
    const account = mkdtempSync(join(dir, "sa-"));
    writeFileSync(join(account, "token"), `${TOKEN}\n`);
    writeFileSync(join(account, "ca.crt"), double.ca);
    writeFileSync(join(account, "namespace"), "apps");
    const port = new URL(double.url).port;
    const api = discovery({
      env: { HOME: dir, KUBERNETES_SERVICE_HOST: "127.0.0.1", KUBERNETES_SERVICE_PORT: port },
      serviceAccountDir: account,
    });
    expect((await api.getService("api")).map((i) => i.id)).toEqual(["api-1"]);
    expect(authorizations()).toEqual([`Bearer ${TOKEN}`]);
  });

  it("re-reads a rotated token file after a minute, and at once after a 401", async () => {
    await start();
    const clock = createFakeClock();
    const tokenFile = file("token", "other-token-0000");
    const api = discovery({ server: double.url, ca: double.ca, tokenFile, namespace: "apps", clock });
    await api.getService("api");
    writeFileSync(tokenFile, TOKEN);
    await api.getService("api");
    clock.advance(60_000);
    await api.getService("api");
    expect(authorizations()).toEqual([
      "Bearer other-token-0000",
      "Bearer other-token-0000",
      `Bearer ${TOKEN}`,
    ]);
    writeFileSync(tokenFile, "revoked-token");
    clock.advance(60_000);
    await expect(api.getService("api")).rejects.toMatchObject({ status: 401 });
    writeFileSync(tokenFile, TOKEN);
    expect(await api.getService("api")).toHaveLength(1); // the 401 sent it back to the file
    expect(authorizations().slice(3)).toEqual([
      "Bearer revoked-token",
      "Bearer revoked-token",
      "Bearer revoked-token",
      `Bearer ${TOKEN}`,
    ]);
  });
});

describe("credentials from an exec plugin", () => {
  function plugin(expires: string): { kubeconfig: string; runs: () => number } {
    const log = join(dir, "runs");
    writeFileSync(log, "");
    const script = file(
      "plugin.mjs",
      [
        "#!/usr/bin/env node",
        'import { appendFileSync } from "node:fs";',
        `appendFileSync(${JSON.stringify(log)}, "x");`,
        "const info = JSON.parse(process.env.KUBERNETES_EXEC_INFO);",
        `console.log(JSON.stringify({ apiVersion: info.apiVersion, kind: "ExecCredential", status: { token: process.env.PLUGIN_TOKEN, expirationTimestamp: ${JSON.stringify(expires)} } }));`,
      ].join("\n"),
    );
    chmodSync(script, 0o755);
    const user = [
      "  user:",
      "    exec:",
      "      apiVersion: client.authentication.k8s.io/v1",
      "      command: ./plugin.mjs",
      "      env:",
      "      - name: PLUGIN_TOKEN",
      `        value: ${TOKEN}`,
      "      interactiveMode: Never",
    ].join("\n");
    const kubeconfig = file("config", double.kubeconfig({ namespace: "apps" }).replace("  user: {}", user));
    return { kubeconfig, runs: () => readFileSync(log, "utf8").length };
  }

  it("runs the plugin for a token, and again only when the credential expires", async () => {
    await start();
    const lasting = plugin(new Date(Date.now() + 3_600_000).toISOString());
    const api = discovery({ kubeconfig: lasting.kubeconfig });
    await api.getService("api");
    await api.getService("api");
    expect(lasting.runs()).toBe(1);
    expect(authorizations()).toEqual([`Bearer ${TOKEN}`, `Bearer ${TOKEN}`]);
    const expired = plugin(new Date(Date.now() - 1000).toISOString());
    const renewing = discovery({ kubeconfig: expired.kubeconfig });
    await renewing.getService("api");
    await renewing.getService("api");
    expect(expired.runs()).toBe(2);
  });

  it("reports a plugin that is not installed with the kubeconfig's install hint, not retryable", async () => {
    await start();
    const user =
      "  user:\n    exec:\n      command: no-such-auth-plugin\n      installHint: install it with your package manager";
    const api = discovery({ kubeconfig: file("config", double.kubeconfig().replace("  user: {}", user)) });
    await expect(api.getService("api")).rejects.toMatchObject({
      retryable: false,
      message: expect.stringContaining("not found: install it with your package manager"),
    });
  });
});

describe("refusals", () => {
  it("says what a 401 and a 403 mean, and never shows the token, even when the server echoes it", async () => {
    await start();
    const wrong = discovery({
      server: double.url,
      ca: double.ca,
      token: "wrong-token-1234",
      namespace: "apps",
    });
    const unauthorized = await refusal(wrong.getService("api"));
    expect(unauthorized).toMatchObject({ status: 401, retryable: false });
    expect(unauthorized.message).toContain("refused the credentials from the server option");
    const forbidden = await refusal(
      discovery({
        server: double.url,
        ca: double.ca,
        token: "pods-only-token",
        namespace: "apps",
      }).getService("api"),
    );
    expect(forbidden).toMatchObject({ status: 403, retryable: false });
    expect(forbidden.message).toContain(
      'endpointslices.discovery.k8s.io is forbidden: User "pods-only" cannot list',
    );
    expect(forbidden.message).toContain('grant get, list and watch on endpointslices in namespace "apps"');
    double.injectFault({ kind: "status", code: 500, message: `internal error for Bearer ${TOKEN}` });
    const logged: string[] = [];
    const echoing = discovery({
      server: double.url,
      ca: double.ca,
      token: TOKEN,
      namespace: "apps",
      logger: { warn: (message) => logged.push(message) },
    });
    const failed = await refusal(echoing.getService("api"));
    expect(failed.message).toContain("internal error for Bearer [redacted]");
    expect(JSON.stringify(echoing)).not.toContain(TOKEN);
    expect(failed.message).not.toContain(TOKEN);
  });
});
