// The double checked by a real client: kubectl (whichever is on PATH, or the one KUBECTL names;
// CI installs Debian's `kubernetes-client` through scripts/setup.sh) lists, watches and selects
// through a kubeconfig, over TLS with a bearer token, and reports 401 and 403 as it does for a
// real API server.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { type KubernetesDouble, startKubernetesDouble } from "../src/kubernetes.js";
import { slice } from "./kube-http.js";

const KUBECTL = process.env.KUBECTL || "kubectl";

let double: KubernetesDouble;
let dir: string;
const children: ChildProcess[] = [];

afterEach(async () => {
  for (const child of children.splice(0)) child.kill("SIGKILL");
  await double?.close();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function kubectl(args: string[], token = "admin-token"): Promise<Run> {
  const config = join(dir, `config-${token}`);
  writeFileSync(config, double.kubeconfig({ token }));
  return new Promise((resolve, reject) => {
    execFile(
      KUBECTL,
      ["--kubeconfig", config, "--cache-dir", join(dir, "cache"), "--request-timeout", "10s", ...args],
      { timeout: 15_000 },
      (error, stdout, stderr) => {
        if (error !== null && typeof error.code !== "number") reject(error);
        else resolve({ code: typeof error?.code === "number" ? error.code : 0, stdout, stderr });
      },
    );
  });
}

const rows = (table: string): string[][] =>
  table
    .trim()
    .split("\n")
    .map((line) => line.trim().split(/\s{2,}/));

async function start(): Promise<void> {
  dir = mkdtempSync(join(tmpdir(), "switchyard-kubectl-"));
  double = await startKubernetesDouble({
    tls: true,
    users: [
      { name: "admin", token: "admin-token" },
      {
        name: "reader",
        token: "reader-token",
        rules: [{ verbs: ["get", "list", "watch"], resources: ["endpointslices"] }],
      },
    ],
  });
}

beforeAll(async () => {
  const found = await new Promise<string | undefined>((resolve) => {
    execFile(KUBECTL, ["version", "--client"], (error, stdout) =>
      resolve(error === null ? stdout : undefined),
    );
  });
  if (found === undefined) {
    throw new Error(
      `kubectl (${KUBECTL}) cannot be run: these tests check the Kubernetes double with a real client; ` +
        "run scripts/setup.sh, which installs Debian's kubernetes-client, or set KUBECTL to a kubectl binary",
    );
  }
});

describe(`kubectl (${KUBECTL}) against the Kubernetes double`, () => {
  it("gets endpointslices as the API server's table", async () => {
    await start();
    double.apply({
      ...slice("api-abc", "api", ["10.0.0.5", "10.0.0.6"]),
      ports: [
        { name: "http", port: 8080 },
        { name: "grpc", port: 9090 },
      ],
    });
    const run = await kubectl(["get", "endpointslices"]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const [header, row] = rows(run.stdout);
    expect(header).toEqual(["NAME", "ADDRESSTYPE", "PORTS", "ENDPOINTS", "AGE"]);
    expect(row?.slice(0, 4)).toEqual(["api-abc", "IPv4", "8080,9090", "10.0.0.5,10.0.0.6"]);
  });

  it("gets every endpointslice in pages of --chunk-size (limit and continue)", async () => {
    await start();
    for (const n of [1, 2, 3, 4, 5]) double.apply(slice(`api-${n}`, "api", [`10.0.0.${n}`]));
    const run = await kubectl(["get", "endpointslices", "--chunk-size=2", "-o", "name"]);
    expect(run.code).toBe(0);
    expect(run.stdout.trim().split("\n")).toEqual(
      [1, 2, 3, 4, 5].map((n) => `endpointslice.discovery.k8s.io/api-${n}`),
    );
    expect(double.requests.filter((r) => r.query.get("continue")).length).toBe(2);
  });

  it("watches endpointslices: the current rows, then each change as it happens", async () => {
    await start();
    double.apply(slice("api-a", "api", ["10.0.0.1"]));
    const config = join(dir, "config-watch");
    writeFileSync(config, double.kubeconfig({ token: "admin-token" }));
    const child = spawn(KUBECTL, [
      "--kubeconfig",
      config,
      "--cache-dir",
      join(dir, "cache"),
      "get",
      "endpointslices",
      "--watch",
    ]);
    children.push(child);
    let output = "";
    let stderr = "";
    const waiters: Array<() => void> = [];
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      output += chunk;
      for (const wake of waiters.splice(0)) wake();
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const until = async (text: string): Promise<void> => {
      const deadline = performance.now() + 10_000;
      while (!output.includes(text)) {
        if (performance.now() > deadline)
          throw new Error(`kubectl --watch never printed ${text}: ${output}${stderr}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 200);
        });
      }
    };
    await until("api-a");
    // Added whether or not the watch has reached the double yet: it starts from the list's version.
    double.apply(slice("api-b", "api", ["10.0.0.2"]));
    await until("api-b");
    const watching = double.requests.find((r) => r.watch);
    expect(watching?.query.get("resourceVersion")).toMatch(/^\d+$/);
    expect(rows(output).map((row) => row[0])).toEqual(["NAME", "api-a", "api-b"]);
  });

  it("gets pods by label selector, as a table and as JSON", async () => {
    await start();
    const pod = (name: string, app: string) => ({
      kind: "Pod",
      metadata: { name, labels: { app } },
      spec: { containers: [{ name: "main", ports: [{ containerPort: 8080 }] }], nodeName: "node-1" },
      status: {
        phase: "Running",
        podIP: "10.0.0.7",
        containerStatuses: [{ name: "main", ready: true, restartCount: 2 }],
      },
    });
    double.apply(pod("api-1", "api"));
    double.apply(pod("web-1", "web"));
    const table = await kubectl(["get", "pods", "-l", "app=api"]);
    expect(table.code).toBe(0);
    const [header, row, extra] = rows(table.stdout);
    expect(header).toEqual(["NAME", "READY", "STATUS", "RESTARTS", "AGE"]);
    expect(row?.slice(0, 4)).toEqual(["api-1", "1/1", "Running", "2"]);
    expect(extra).toBeUndefined();
    const json = await kubectl(["get", "pods", "-l", "app in (api)", "-o", "json"]);
    const items = (
      JSON.parse(json.stdout) as { items: Array<{ metadata: { name: string }; status: { podIP: string } }> }
    ).items;
    expect(items.map((item) => [item.metadata.name, item.status.podIP])).toEqual([["api-1", "10.0.0.7"]]);
  });

  it("reports an unknown token as Unauthorized and a missing grant as Forbidden", async () => {
    await start();
    const unknown = await kubectl(["get", "endpointslices"], "wrong-token");
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/You must be logged in to the server/);
    const forbidden = await kubectl(["get", "pods"], "reader-token");
    expect(forbidden.code).not.toBe(0);
    expect(forbidden.stderr).toContain(
      'pods is forbidden: User "reader" cannot list resource "pods" in API group "" in the namespace "default"',
    );
  });
});
