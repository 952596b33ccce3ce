// EndpointSlices onto instances. Each endpoint is one instance (id: its pod, from targetRef, else
// its address), with one URL per TCP port of its slice. An endpoint listed in two slices (dual
// stack, or while the controller moves it) is one instance with the endpoints of both. The
// conditions decide who gets calls: ready endpoints; when none is ready, the ones still serving
// while they terminate, so that a rollout that drains every pod does not leave callers with nothing.
import type { ServiceInstance } from "@switchyard/api";
import { type Fields, isObject, type KubeObject, type Mapped, records, text } from "./objects.js";
import { hostPort, schemeOf } from "./schemes.js";

interface Port {
  readonly scheme: string;
  readonly port: number;
}

interface Gathered {
  readonly id: string;
  readonly endpoints: string[];
  readonly metadata: Record<string, string>;
  ready: boolean;
  serving: boolean;
}

function portsOf(slice: KubeObject, defaultScheme: string): Port[] {
  const ports: Port[] = [];
  for (const port of records(slice.ports)) {
    if (typeof port.port !== "number" || (port.protocol !== undefined && port.protocol !== "TCP")) continue;
    ports.push({ scheme: schemeOf(text(port.appProtocol), text(port.name), defaultScheme), port: port.port });
  }
  return ports;
}

function metadataOf(endpoint: Fields): Record<string, string> {
  const metadata: Record<string, string> = Object.create(null);
  const zone = text(endpoint.zone);
  if (zone !== undefined) metadata.zone = zone;
  const node = text(endpoint.nodeName);
  if (node !== undefined) metadata.nodeName = node;
  const hints = isObject(endpoint.hints) ? endpoint.hints : {};
  const forZones = records(hints.forZones)
    .map((z) => text(z.name))
    .filter((z) => z !== undefined);
  if (forZones.length > 0) metadata.hintsForZones = forZones.join(",");
  const forNodes = records(hints.forNodes)
    .map((n) => text(n.name))
    .filter((n) => n !== undefined);
  if (forNodes.length > 0) metadata.hintsForNodes = forNodes.join(",");
  return metadata;
}

/**
 * The instances of `service` in `slices`, sorted by id: the ready endpoints, or, when none is
 * ready, those serving while terminating.
 */
export function instancesFromSlices(
  slices: Iterable<KubeObject>,
  service: string,
  defaultScheme: string,
): Mapped<readonly ServiceInstance[]> {
  const gathered = new Map<string, Gathered>();
  const skipped: string[] = [];
  const sorted = [...slices].sort((a, b) => ((a.metadata?.name ?? "") < (b.metadata?.name ?? "") ? -1 : 1));
  for (const slice of sorted) {
    const sliceName = slice.metadata?.name ?? "?";
    const ports = portsOf(slice, defaultScheme);
    const endpoints = records(slice.endpoints);
    if (ports.length === 0 && endpoints.length > 0) {
      skipped.push(
        `EndpointSlice ${sliceName} of "${service}" has no TCP port with a number; its endpoints are skipped (give the Service a port)`,
      );
      continue;
    }
    for (const endpoint of endpoints) {
      const address = Array.isArray(endpoint.addresses) ? text(endpoint.addresses[0]) : undefined;
      if (address === undefined) continue;
      const conditions = isObject(endpoint.conditions) ? endpoint.conditions : {};
      const ready = conditions.ready !== false;
      const serving = conditions.serving === undefined ? ready : conditions.serving === true;
      const targetRef = isObject(endpoint.targetRef) ? endpoint.targetRef : {};
      const id = text(targetRef.name) ?? address;
      let entry = gathered.get(id);
      if (entry === undefined) {
        entry = { id, endpoints: [], metadata: metadataOf(endpoint), ready: false, serving: false };
        gathered.set(id, entry);
      }
      entry.ready ||= ready;
      entry.serving ||= serving;
      for (const { scheme, port } of ports) {
        const url = `${scheme}://${hostPort(address, port)}`;
        if (!entry.endpoints.includes(url)) entry.endpoints.push(url);
      }
    }
  }
  const all = [...gathered.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const ready = all.filter((e) => e.ready);
  const chosen = ready.length > 0 ? ready : all.filter((e) => e.serving);
  const instances = chosen.map(
    (e): ServiceInstance =>
      Object.freeze({
        id: e.id,
        name: service,
        version: "",
        metadata: Object.freeze(e.metadata),
        endpoints: Object.freeze(e.endpoints),
      }),
  );
  return { instances: Object.freeze(instances), skipped };
}
