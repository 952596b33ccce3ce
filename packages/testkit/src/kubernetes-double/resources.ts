import type { KubernetesKind, KubernetesVerb } from "./types.js";

/** A request for a resource, parsed from its path and method. */
export interface ResourceRequest {
  readonly kind: KubernetesKind;
  /** `pods` or `endpointslices`. */
  readonly resource: string;
  /** `""` for the core group, `discovery.k8s.io` for EndpointSlices. */
  readonly group: string;
  /** The namespace of the path; undefined for a request across all namespaces. */
  readonly namespace: string | undefined;
  readonly name: string | undefined;
  readonly subresource: "status" | undefined;
  readonly verb: KubernetesVerb;
}

const ROOTS: ReadonlyArray<readonly [string, string, string, KubernetesKind]> = [
  ["/api/v1/", "", "pods", "Pod"],
  ["/apis/discovery.k8s.io/v1/", "discovery.k8s.io", "endpointslices", "EndpointSlice"],
];

/**
 * Parses `/api/v1/[namespaces/{ns}/]pods[/{name}[/status]]` and the same under
 * `/apis/discovery.k8s.io/v1/` for `endpointslices`; undefined for any other path.
 */
export function parseResource(path: string, method: string, watch: boolean): ResourceRequest | undefined {
  for (const [root, group, resource, kind] of ROOTS) {
    if (!path.startsWith(root)) continue;
    const parts = path.slice(root.length).split("/");
    let namespace: string | undefined;
    if (parts[0] === "namespaces" && parts.length >= 3) {
      namespace = parts[1];
      parts.splice(0, 2);
    }
    if (parts[0] !== resource || parts.length > 3) return undefined;
    const name = parts[1] === undefined || parts[1] === "" ? undefined : parts[1];
    const sub = parts[2];
    if (sub !== undefined && !(sub === "status" && kind === "Pod")) return undefined;
    const verb = verbOf(method, name !== undefined, watch);
    if (verb === undefined) return undefined;
    return {
      kind,
      resource,
      group,
      namespace,
      name,
      subresource: sub === "status" ? "status" : undefined,
      verb,
    };
  }
  return undefined;
}

function verbOf(method: string, named: boolean, watch: boolean): KubernetesVerb | undefined {
  switch (method) {
    case "GET":
      if (watch) return "watch";
      return named ? "get" : "list";
    case "POST":
      return named ? undefined : "create";
    case "PUT":
      return named ? "update" : undefined;
    case "DELETE":
      return named ? "delete" : undefined;
    default:
      return undefined;
  }
}
