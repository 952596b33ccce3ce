// The scenarios of the double's suites, against a real cluster: point KUBECONFIG at one (kind,
// minikube, a test cluster; never production) to run them. Objects are written with kubectl
// (whichever is on PATH, or KUBECTL) in KUBERNETES_LIVE_NAMESPACE (default "default"): EndpointSlices
// of random Service names, labelled managed-by switchyard-tests so the EndpointSlice controller
// leaves them alone, deleted after each test. The kubeconfig user needs create/delete on
// endpointslices besides get/list/watch. A real cluster runs on real time, so these tests wait
// (bounded) on wall-clock time.
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import type { ServiceInstance, Watcher } from "@switchyard/api";
import { describeRegistryConformance } from "@switchyard/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { createKubernetesDiscovery, type KubernetesDiscovery } from "../src/index.js";
import { type ObjectWriter, quiet, sliceOf, sliceRegistrar } from "./helpers.js";

const kubeconfig = process.env.KUBECONFIG;
const namespace = process.env.KUBERNETES_LIVE_NAMESPACE || "default";
const KUBECTL = process.env.KUBECTL || "kubectl";
if (!kubeconfig) {
  console.log(
    "registry-kubernetes live suite skipped: KUBECONFIG is not set (point it at a test cluster, such as kind's, to run it)",
  );
}

function kubectl(args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      KUBECTL,
      ["--namespace", namespace, ...args],
      { timeout: 30_000 },
      (error, stdout, stderr) =>
        error ? reject(new Error(`kubectl ${args.join(" ")}: ${stderr || error.message}`)) : resolve(stdout),
    );
    child.stdin?.end(input);
  });
}

/** Writes through kubectl, in the live namespace. */
const writer: ObjectWriter = {
  async create(_resource, object) {
    const { metadata } = object as { metadata: Record<string, unknown> };
    await kubectl(
      ["create", "--validate=false", "-f", "-"],
      JSON.stringify({ ...object, metadata: { ...metadata, namespace } }),
    );
  },
  async setStatus() {
    throw new Error("the live suite writes no pods");
  },
  async remove(resource, name) {
    await kubectl(["delete", resource, name, "--ignore-not-found", "--wait=false"]);
  },
};

const opened: KubernetesDiscovery[] = [];
const created: ServiceInstance[] = [];

function discovery(): KubernetesDiscovery {
  const made = createKubernetesDiscovery({ namespace, logger: quiet });
  opened.push(made);
  return made;
}

async function publish(instance: ServiceInstance): Promise<void> {
  created.push(instance);
  await sliceRegistrar(writer).register(instance);
}

function instance(service: string, n: number): ServiceInstance {
  return {
    id: `${service}-${n}`,
    name: service,
    version: "",
    metadata: {},
    endpoints: [`http://10.254.0.${n}:8080`],
  };
}

/** Calls next() until `accept` holds, failing after `ms` of wall-clock time. */
async function until(watcher: Watcher, accept: (ids: string[]) => boolean, ms = 20_000): Promise<string[]> {
  const deadline = performance.now() + ms;
  for (;;) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no accepted list within ${ms} ms`)),
        Math.max(0, deadline - performance.now()),
      );
    });
    const list = await Promise.race([watcher.next(), late]).finally(() => clearTimeout(timer));
    const ids = list.map((i) => i.id).sort();
    if (accept(ids)) return ids;
  }
}

afterEach(async () => {
  await Promise.allSettled(created.splice(0).map((i) => sliceRegistrar(writer).deregister(i)));
  await Promise.allSettled(opened.splice(0).map((d) => d.close()));
});

describe.skipIf(!kubeconfig)("registry-kubernetes against a real cluster", { timeout: 60_000 }, () => {
  const service = () => `live-${randomUUID().slice(0, 8)}`;

  it("watches EndpointSlices being added, turning terminating and removed", async () => {
    const name = service();
    await publish(instance(name, 1));
    const watcher = discovery().watch(name);
    await until(watcher, (ids) => ids.length === 1);
    await publish(instance(name, 2));
    await until(watcher, (ids) => ids.length === 2);
    const draining = sliceOf(instance(name, 2)) as {
      metadata: { name: string };
      endpoints: Array<{ conditions: unknown }>;
    };
    draining.endpoints[0]!.conditions = { ready: false, serving: true, terminating: true };
    await kubectl(
      ["replace", "--validate=false", "-f", "-"],
      JSON.stringify({ ...draining, metadata: { ...draining.metadata, namespace } }),
    );
    expect(await until(watcher, (ids) => ids.length === 1)).toEqual([`${name}-1`]);
    await sliceRegistrar(writer).deregister(instance(name, 1));
    expect(await until(watcher, (ids) => ids.length === 1 && ids[0] === `${name}-2`)).toEqual([`${name}-2`]);
    await watcher.stop();
  });

  it("stops within 100 ms during a watch", async () => {
    const watcher = discovery().watch(service());
    await watcher.next();
    const next = watcher.next().catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 500)); // the watch reaches the API server
    const started = performance.now();
    await watcher.stop();
    await next;
    expect(performance.now() - started).toBeLessThan(100);
  });
});

if (kubeconfig) {
  describeRegistryConformance({
    name: "registry-kubernetes on a real cluster",
    sample: (service, n) => ({
      id: `${service}-${n}`,
      name: service,
      version: "",
      metadata: { zone: `zone-${n}` },
      endpoints: [`http://10.254.0.${n}:${18000 + n}`, `grpc://10.254.0.${n}:${19000 + n}`],
    }),
    create() {
      const live = createKubernetesDiscovery({ namespace, logger: quiet });
      return { registrar: sliceRegistrar(writer), discovery: live, close: () => live.close() };
    },
    timeoutMs: 15_000,
  });
}
