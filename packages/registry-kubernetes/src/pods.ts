// Pods onto instances, as Kratos's Kubernetes registry lays services out: pods labelled
// `kratos-service-app=<name>`, the id and version from the `kratos-service-id` and
// `kratos-service-version` labels, metadata from the `kratos-service-metadata` annotation (a JSON
// object), and one endpoint per container port, its scheme from the `kratos-service-protocols`
// annotation (JSON, port → protocol), else the port name up to its first '-', else the port's
// protocol, lower-cased. Kratos keeps every Running pod; here a pod must also be Ready, and a
// terminating one (deletionTimestamp set) is kept only while no other pod is ready.
import type { ServiceInstance } from "@switchyard/api";
import { type Fields, isObject, type KubeObject, type Mapped, records, text } from "./objects.js";
import { hostPort } from "./schemes.js";

/**
 * The labels (`app`, `id`, `version`) and annotations (`metadata`, `protocols`) of Kratos's
 * Kubernetes registry, which `layout: "kratos"` reads: a pod of service `helloworld` carries
 * `kratos-service-app: helloworld`.
 */
export const KRATOS_LABELS = Object.freeze({
  app: "kratos-service-app",
  id: "kratos-service-id",
  version: "kratos-service-version",
  metadata: "kratos-service-metadata",
  protocols: "kratos-service-protocols",
});

const EMPTY = new Set(["", "{}", "null", "nil", "[]"]);

/** A JSON object of strings from an annotation; undefined when it is not one. */
function stringMap(value: string | undefined): Record<string, string> | undefined {
  const result: Record<string, string> = Object.create(null);
  if (value === undefined || EMPTY.has(value.trim())) return result;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return undefined;
  }
  if (!isObject(parsed)) return undefined;
  for (const [key, entry] of Object.entries(parsed)) {
    if (typeof entry !== "string") return undefined;
    result[key] = entry;
  }
  return result;
}

function isReady(status: Fields): boolean {
  return records(status.conditions).some((c) => c.type === "Ready" && c.status === "True");
}

interface Candidate {
  readonly id: string;
  readonly pod: string;
  readonly instance: Omit<ServiceInstance, "id">;
  readonly terminating: boolean;
}

function candidateOf(pod: KubeObject, service: string, skipped: string[]): Candidate | undefined {
  const name = pod.metadata?.name ?? "?";
  const labels = pod.metadata?.labels ?? {};
  const annotations = pod.metadata?.annotations ?? {};
  const status = isObject(pod.status) ? pod.status : {};
  const spec = isObject(pod.spec) ? pod.spec : {};
  if (status.phase !== "Running" || !isReady(status)) return undefined;
  const ip = text(status.podIP);
  if (ip === undefined) return undefined;
  const metadata = stringMap(annotations[KRATOS_LABELS.metadata]);
  const protocols = stringMap(annotations[KRATOS_LABELS.protocols]);
  if (metadata === undefined || protocols === undefined) {
    const which = metadata === undefined ? KRATOS_LABELS.metadata : KRATOS_LABELS.protocols;
    skipped.push(
      `pod ${name} of "${service}" has a ${which} annotation that is not a JSON object of strings; it is skipped`,
    );
    return undefined;
  }
  const endpoints: string[] = [];
  for (const container of records(spec.containers)) {
    for (const port of records(container.ports)) {
      if (typeof port.containerPort !== "number") continue;
      const portName = text(port.name);
      const scheme = (
        protocols[String(port.containerPort)] ??
        (portName === undefined ? String(port.protocol ?? "TCP") : portName.split("-")[0]!)
      ).toLowerCase();
      const url = `${scheme}://${hostPort(ip, port.containerPort)}`;
      if (!endpoints.includes(url)) endpoints.push(url);
    }
  }
  if (endpoints.length === 0) {
    skipped.push(
      `pod ${name} of "${service}" declares no container port; it is skipped (add ports to its containers)`,
    );
    return undefined;
  }
  return {
    id: text(labels[KRATOS_LABELS.id]) ?? name,
    pod: name,
    terminating: pod.metadata?.deletionTimestamp !== undefined,
    instance: {
      name: service,
      version: labels[KRATOS_LABELS.version] ?? "",
      metadata: Object.freeze(metadata),
      endpoints: Object.freeze(endpoints),
    },
  };
}

/**
 * The instances of `service` among `pods`, sorted by id. Pods that share a `kratos-service-id`
 * (a Deployment template that sets one) are told apart by their pod names.
 */
export function instancesFromPods(
  pods: Iterable<KubeObject>,
  service: string,
): Mapped<readonly ServiceInstance[]> {
  const skipped: string[] = [];
  const candidates: Candidate[] = [];
  for (const pod of pods) {
    const candidate = candidateOf(pod, service, skipped);
    if (candidate !== undefined) candidates.push(candidate);
  }
  const live = candidates.filter((c) => !c.terminating);
  const chosen = live.length > 0 ? live : candidates;
  const counts = new Map<string, number>();
  for (const c of chosen) counts.set(c.id, (counts.get(c.id) ?? 0) + 1);
  const instances = chosen
    .map((c): ServiceInstance => Object.freeze({ id: counts.get(c.id)! > 1 ? c.pod : c.id, ...c.instance }))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { instances: Object.freeze(instances), skipped };
}
