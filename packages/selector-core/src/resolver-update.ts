import type { Node, ServiceInstance } from "@switchyard/api";
import { type EndpointFamily, type ParsedEndpoint, selectEndpoint } from "./endpoint.js";
import { nodeFromInstance } from "./node.js";
import { subset } from "./subset.js";

/** One kept instance, as a transport dials it: its parsed endpoint, the instance and its node. */
export interface ResolvedEndpoint extends ParsedEndpoint {
  /** The registry instance the endpoint belongs to. */
  readonly instance: ServiceInstance;
  /** The node built from it: the same object as the matching entry of {@link ResolverUpdate.nodes}. */
  readonly node: Node;
}

/**
 * A node list a resolver hands to its consumer: never empty, addresses unique, `nodes[i]` being
 * `endpoints[i].node`. Both arrays are frozen.
 */
export interface ResolverUpdate {
  readonly nodes: readonly Node[];
  readonly endpoints: readonly ResolvedEndpoint[];
}

/** What {@link buildUpdate} needs to know of its resolver. */
export interface UpdateSettings {
  readonly serviceName: string;
  readonly family: EndpointFamily;
  readonly subsetKey: string;
  /** 0 disables subsetting. */
  readonly subsetSize: number;
}

/** Receives one reason an instance or endpoint was left out (a complete log message). */
export type SkipListener = (message: string, details: Readonly<Record<string, unknown>>) => void;

interface Candidate {
  readonly parsed: ParsedEndpoint;
  readonly instance: ServiceInstance;
}

function idOf(instance: unknown, index: number): string {
  const id = (instance as { id?: unknown } | null | undefined)?.id;
  return typeof id === "string" && id !== "" ? JSON.stringify(id) : `#${index}`;
}

function sameMetadata(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const key of keys) if (a[key] !== b[key]) return false;
  return true;
}

function sameNode(a: Node, b: Node): boolean {
  return (
    a.scheme === b.scheme &&
    a.address === b.address &&
    a.serviceName === b.serviceName &&
    a.initialWeight === b.initialWeight &&
    a.version === b.version &&
    sameMetadata(a.metadata, b.metadata)
  );
}

/** Whether two node lists hold the very same node objects in the same order. */
export function sameNodes(a: readonly Node[], b: readonly Node[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function keep(
  instances: readonly ServiceInstance[],
  settings: UpdateSettings,
  onSkip: SkipListener,
): Candidate[] {
  const { family, serviceName: service } = settings;
  const byAddress = new Map<string, string>();
  const kept: Candidate[] = [];
  for (let i = 0; i < instances.length; i++) {
    const instance = instances[i]!;
    const id = idOf(instance, i);
    const endpoints = (instance as { endpoints?: unknown } | null | undefined)?.endpoints;
    if (!Array.isArray(endpoints)) {
      onSkip(`resolver: skipped instance ${id} of "${service}": it has no endpoint list`, { service });
      continue;
    }
    const invalid: string[] = [];
    const parsed = selectEndpoint(endpoints, family, (_, error) => invalid.push(error.message));
    const problems = invalid.length > 0 ? ` (${invalid.join("; ")})` : "";
    if (parsed === undefined) {
      onSkip(
        `resolver: skipped instance ${id} of "${service}": no usable ${family}:// or ${family}s:// endpoint ` +
          `among ${JSON.stringify(endpoints)}${problems}`,
        { service, endpoints },
      );
      continue;
    }
    if (invalid.length > 0) {
      onSkip(`resolver: ignored bad endpoints of instance ${id} of "${service}"${problems}`, {
        service,
        endpoints,
      });
    }
    const first = byAddress.get(parsed.address);
    if (first !== undefined) {
      onSkip(
        `resolver: skipped instance ${id} of "${service}": address ${parsed.address} is already used by ` +
          `instance ${first}, which is kept`,
        { service, address: parsed.address },
      );
      continue;
    }
    byAddress.set(parsed.address, id);
    kept.push({ parsed, instance });
  }
  return kept;
}

/**
 * Turns one instance list of a watch into a node list: keeps the instances with an endpoint of the
 * family (the first such endpoint of each), drops later instances whose address is already taken,
 * cuts to the subset of the client key (keyed by address), and builds the nodes. A node equal to
 * the one `previous` held for its address is reused, so node identity survives updates that do not
 * change it. Every instance or endpoint left out is reported once to `onSkip`. Never throws on
 * registry data; the result may be empty.
 */
export function buildUpdate(
  instances: readonly ServiceInstance[],
  settings: UpdateSettings,
  previous: ResolverUpdate | undefined,
  onSkip: SkipListener,
): ResolverUpdate {
  const chosen = subset(keep(instances, settings, onSkip), settings.subsetKey, settings.subsetSize, (c) => {
    return c.parsed.address;
  });
  const before = new Map<string, Node>();
  for (const node of previous?.nodes ?? []) before.set(node.address, node);
  const nodes: Node[] = new Array(chosen.length);
  const endpoints: ResolvedEndpoint[] = new Array(chosen.length);
  for (let i = 0; i < chosen.length; i++) {
    const { parsed, instance } = chosen[i]!;
    const fresh = nodeFromInstance(parsed.scheme, parsed.address, instance);
    const old = before.get(parsed.address);
    const node = old !== undefined && sameNode(old, fresh) ? old : fresh;
    nodes[i] = node;
    endpoints[i] = Object.freeze({ ...parsed, instance, node });
  }
  return { nodes: Object.freeze(nodes), endpoints: Object.freeze(endpoints) };
}
