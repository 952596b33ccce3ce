import { createHash } from "node:crypto";
import type { Logger, Registrar, ServiceInstance } from "@switchyard/api";
import { type KubernetesDouble, startKubernetesDouble } from "@switchyard/testkit/kubernetes";
import {
  createKubernetesDiscovery,
  type KubernetesDiscovery,
  type KubernetesDiscoveryOptions,
} from "../src/index.js";

export const quiet: Logger = { warn: () => {} };

/** Where objects are written: the double's API, or a real cluster through kubectl (live suite). */
export interface ObjectWriter {
  create(resource: "endpointslices" | "pods", object: Record<string, unknown>): Promise<void>;
  /** Writes a pod's status (its status subresource). */
  setStatus(name: string, status: Record<string, unknown>): Promise<void>;
  remove(resource: "endpointslices" | "pods", name: string): Promise<void>;
}

const PATHS = {
  endpointslices: "/apis/discovery.k8s.io/v1/namespaces/default/endpointslices",
  pods: "/api/v1/namespaces/default/pods",
} as const;

/** Writes through the double's HTTP API, as a controller would. */
export function doubleWriter(double: KubernetesDouble): ObjectWriter {
  const send = async (method: string, path: string, body?: unknown): Promise<void> => {
    const response = await fetch(`${double.url}${path}`, {
      method,
      headers: { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok && response.status !== 404)
      throw new Error(`${method} ${path}: ${response.status} ${text}`);
  };
  return {
    create: (resource, object) => send("POST", PATHS[resource], object),
    async setStatus(name, status) {
      const pod = double.objects("Pod").find((p) => p.metadata?.name === name);
      await send("PUT", `${PATHS.pods}/${name}/status`, { ...pod, status });
    },
    remove: (resource, name) => send("DELETE", `${PATHS[resource]}/${name}`),
  };
}

const short = (text: string): string => createHash("sha1").update(text).digest("hex").slice(0, 10);

function parts(instance: ServiceInstance): { host: string; ports: Array<{ scheme: string; port: number }> } {
  const urls = instance.endpoints.map((e) => new URL(e));
  const host = urls[0]!.hostname.replace(/^\[|\]$/g, "");
  return { host, ports: urls.map((u) => ({ scheme: u.protocol.slice(0, -1), port: Number(u.port) })) };
}

/** An EndpointSlice holding one instance: its pod as targetRef, its zone, a port per endpoint. */
export function sliceOf(instance: ServiceInstance): Record<string, unknown> {
  const { host, ports } = parts(instance);
  return {
    apiVersion: "discovery.k8s.io/v1",
    kind: "EndpointSlice",
    metadata: {
      name: `${instance.name}-${short(instance.id)}`,
      labels: {
        "kubernetes.io/service-name": instance.name,
        "endpointslice.kubernetes.io/managed-by": "switchyard-tests",
      },
    },
    addressType: host.includes(":") ? "IPv6" : "IPv4",
    ports: ports.map(({ scheme, port }) => ({ name: scheme, port, protocol: "TCP" })),
    endpoints: [
      {
        addresses: [host],
        conditions: { ready: true, serving: true, terminating: false },
        targetRef: { kind: "Pod", namespace: "default", name: instance.id },
        ...(instance.metadata.zone === undefined ? {} : { zone: instance.metadata.zone }),
      },
    ],
  };
}

/** A registrar that publishes each instance as an EndpointSlice of its own. */
export function sliceRegistrar(writer: ObjectWriter): Registrar {
  return {
    async register(instance, options) {
      options?.signal?.throwIfAborted();
      await writer.create("endpointslices", sliceOf(instance));
    },
    async deregister(instance, options) {
      options?.signal?.throwIfAborted();
      await writer.remove("endpointslices", `${instance.name}-${short(instance.id)}`);
    },
  };
}

/** A ready, running pod laid out as Kratos's registry labels one. */
export function kratosPod(instance: ServiceInstance): Record<string, unknown> {
  const { ports } = parts(instance);
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: instance.id,
      labels: {
        "kratos-service-app": instance.name,
        "kratos-service-id": instance.id,
        "kratos-service-version": instance.version,
      },
      annotations: {
        "kratos-service-metadata": JSON.stringify(instance.metadata),
        "kratos-service-protocols": JSON.stringify(
          Object.fromEntries(ports.map((p) => [String(p.port), p.scheme])),
        ),
      },
    },
    spec: {
      containers: [
        {
          name: "main",
          image: "registry.k8s.io/pause:3.9",
          ports: ports.map((p) => ({ containerPort: p.port })),
        },
      ],
    },
  };
}

export function readyStatus(ip: string): Record<string, unknown> {
  return { phase: "Running", podIP: ip, conditions: [{ type: "Ready", status: "True" }] };
}

/** A registrar that creates one pod per instance, then marks it running and ready. */
export function podRegistrar(writer: ObjectWriter): Registrar {
  return {
    async register(instance, options) {
      options?.signal?.throwIfAborted();
      await writer.create("pods", kratosPod(instance));
      await writer.setStatus(instance.id, readyStatus(parts(instance).host));
    },
    async deregister(instance, options) {
      options?.signal?.throwIfAborted();
      await writer.remove("pods", instance.id);
    },
  };
}

/** A double and a discovery on it (plain HTTP, no credentials), closed by the returned function. */
export async function startCluster(
  options: KubernetesDiscoveryOptions = {},
): Promise<{ double: KubernetesDouble; discovery: KubernetesDiscovery; close(): Promise<void> }> {
  const double = await startKubernetesDouble();
  const discovery = createKubernetesDiscovery({ server: double.url, env: {}, logger: quiet, ...options });
  return {
    double,
    discovery,
    async close() {
      await discovery.close();
      await double.close();
    },
  };
}
