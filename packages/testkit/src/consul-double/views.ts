// The JSON shapes Consul answers with, field for field as its Go structs encode them.
import { formatGoDuration } from "./duration.js";
import type { StoredCheck, StoredService } from "./state.js";

/** Where the double's single node lives. */
export interface NodeInfo {
  readonly id: string;
  readonly name: string;
  readonly address: string;
  readonly datacenter: string;
  readonly enterprise: boolean;
}

/** Go's encoding/json writes map keys sorted; so does the double. */
export function sorted<T>(map: Readonly<Record<string, T>>): Record<string, T> {
  const result: Record<string, T> = Object.create(null);
  for (const key of Object.keys(map).sort()) result[key] = map[key] as T;
  return result;
}

function scopeFields(scope: string, enterprise: boolean): Record<string, string> {
  if (!enterprise) return {};
  const [partition = "default", namespace = "default"] = scope.split("/");
  return { Namespace: namespace, Partition: partition };
}

/** The metadata Consul gives every node (what `node-meta` filters match). */
export const NODE_META: Readonly<Record<string, string>> = Object.freeze({
  "consul-network-segment": "",
  "consul-version": "1.20.0",
});

/** The fields every view of the node starts with. */
function nodeFields(node: NodeInfo): Record<string, unknown> {
  return {
    ID: node.id,
    Node: node.name,
    Address: node.address,
    Datacenter: node.datacenter,
    TaggedAddresses: { lan: node.address, lan_ipv4: node.address, wan: node.address, wan_ipv4: node.address },
  };
}

/** The node part of a health entry. */
export function nodeView(node: NodeInfo): Record<string, unknown> {
  return {
    ...nodeFields(node),
    Meta: { ...NODE_META },
    ...(node.enterprise ? { Partition: "default" } : {}),
    CreateIndex: 1,
    ModifyIndex: 1,
  };
}

/** The agent-level serfHealth check every entry of the node carries. */
export function serfHealthView(node: NodeInfo): Record<string, unknown> {
  return {
    Node: node.name,
    CheckID: "serfHealth",
    Name: "Serf Health Status",
    Status: "passing",
    Notes: "",
    Output: "Agent alive and reachable",
    ServiceID: "",
    ServiceName: "",
    ServiceTags: [],
    Type: "",
    Interval: "",
    Timeout: "",
    ExposedPort: 0,
    Definition: {},
    CreateIndex: 1,
    ModifyIndex: 1,
  };
}

/** Consul adds lan_ipv4/wan_ipv4 (or _ipv6) tagged addresses for a service with an IP address. */
function taggedAddresses(service: StoredService): Record<string, { Address: string; Port: number }> {
  const result = { ...service.taggedAddresses };
  const family = /^\d+\.\d+\.\d+\.\d+$/.test(service.address)
    ? "ipv4"
    : service.address.includes(":")
      ? "ipv6"
      : undefined;
  if (family !== undefined) {
    for (const kind of ["lan", "wan"]) {
      const name = `${kind}_${family}`;
      if (!Object.hasOwn(result, name)) result[name] = { Address: service.address, Port: service.port };
    }
  }
  return result;
}

/** The service part of a health entry (a NodeService). */
export function serviceView(service: StoredService, enterprise: boolean): Record<string, unknown> {
  return {
    ID: service.id,
    Service: service.name,
    Tags: [...service.tags],
    Address: service.address,
    TaggedAddresses: sorted(taggedAddresses(service)),
    Meta: sorted(service.meta),
    Port: service.port,
    Weights: service.weights,
    EnableTagOverride: service.enableTagOverride,
    Proxy: { Mode: "", MeshGateway: {}, Expose: {} },
    Connect: {},
    PeerName: "",
    ...scopeFields(service.scope, enterprise),
    CreateIndex: service.createIndex,
    ModifyIndex: service.modifyIndex,
  };
}

/** One check (a HealthCheck). */
export function checkView(check: StoredCheck, node: NodeInfo): Record<string, unknown> {
  const def = check.def.definition;
  const text = (name: string): string => {
    const found = Object.entries(def).find(([k]) => k.toLowerCase() === name);
    return typeof found?.[1] === "string" ? found[1] : "";
  };
  return {
    Node: node.name,
    CheckID: check.def.checkId,
    Name: check.def.name,
    Status: check.status,
    Notes: check.def.notes,
    Output: check.output,
    ServiceID: check.serviceId,
    ServiceName: check.serviceName,
    ServiceTags: [...check.serviceTags],
    Type: check.def.type,
    Interval: text("interval"),
    Timeout: text("timeout"),
    ExposedPort: 0,
    Definition: {
      DeregisterCriticalServiceAfter: formatGoDuration(check.def.deregisterAfterMs ?? 0),
      TTL: formatGoDuration(check.def.ttlMs ?? 0),
    },
    ...scopeFields(check.scope, node.enterprise),
    CreateIndex: check.createIndex,
    ModifyIndex: check.modifyIndex,
  };
}

/** An agent service (`GET /v1/agent/service/:id`, `GET /v1/agent/services`). */
export function agentServiceView(service: StoredService, node: NodeInfo): Record<string, unknown> {
  const {
    CreateIndex: _c,
    ModifyIndex: _m,
    Proxy: _p,
    Connect: _x,
    PeerName: _n,
    ...rest
  } = serviceView(service, node.enterprise);
  return { ...rest, Datacenter: node.datacenter };
}

/**
 * One entry of `GET /v1/catalog/service/:name` (a ServiceNode): the node's fields, then the
 * service's, each prefixed with `Service`, as Consul's API documentation lists them.
 */
export function catalogServiceView(service: StoredService, node: NodeInfo): Record<string, unknown> {
  const tagged = taggedAddresses(service);
  return {
    ...nodeFields(node),
    NodeMeta: { ...NODE_META },
    ServiceKind: "",
    ServiceID: service.id,
    ServiceName: service.name,
    ServiceTags: [...service.tags],
    ServiceAddress: service.address,
    ...(Object.keys(tagged).length === 0 ? {} : { ServiceTaggedAddresses: sorted(tagged) }),
    ServiceWeights: service.weights,
    ServiceMeta: sorted(service.meta),
    ServicePort: service.port,
    ServiceEnableTagOverride: service.enableTagOverride,
    ServiceProxy: { Mode: "", MeshGateway: {}, Expose: {} },
    ServiceConnect: {},
    ...scopeFields(service.scope, node.enterprise),
    CreateIndex: service.createIndex,
    ModifyIndex: service.modifyIndex,
  };
}
