import type { ApiCall } from "./http.js";
import { isObject, type KubeObject, records } from "./objects.js";
import { KRATOS_LABELS } from "./pods.js";
import type { Settings } from "./settings.js";

/** What one service is read from: the collection's path, its label selector, and words for messages. */
export interface ServiceResource {
  readonly path: string;
  readonly labelSelector: string;
  /** `the EndpointSlices of "api"`. */
  readonly describe: string;
  /** The plural resource, for RBAC advice: `endpointslices`. */
  readonly resource: string;
}

export function resourceOf(settings: Settings, service: string): ServiceResource {
  const ns = encodeURIComponent(settings.namespace);
  if (settings.layout === "kratos") {
    return {
      path: `/api/v1/namespaces/${ns}/pods`,
      labelSelector: `${KRATOS_LABELS.app}=${service}`,
      describe: `the pods of "${service}"`,
      resource: "pods",
    };
  }
  return {
    path: `/apis/discovery.k8s.io/v1/namespaces/${ns}/endpointslices`,
    labelSelector: `kubernetes.io/service-name=${service}`,
    describe: `the EndpointSlices of "${service}"`,
    resource: "endpointslices",
  };
}

/** A list request for one page. */
export function listCall(
  resource: ServiceResource,
  settings: Settings,
  cont: string | undefined,
  signal: AbortSignal | undefined,
): ApiCall {
  return {
    path: resource.path,
    query: { labelSelector: resource.labelSelector, limit: String(settings.pageSize), continue: cont },
    signal,
    what: `listing ${resource.describe} in namespace "${settings.namespace}"`,
    resource: resource.resource,
  };
}

/** One page of a list: its items, its resourceVersion, and the token of the next page. */
export interface ListPage {
  readonly items: KubeObject[];
  readonly resourceVersion: string;
  readonly continue: string | undefined;
}

/** Reads a list body; undefined when it is not a list with a resourceVersion. */
export function parsePage(body: unknown): ListPage | undefined {
  if (!isObject(body) || !Array.isArray(body.items) || !isObject(body.metadata)) return undefined;
  const rv = body.metadata.resourceVersion;
  if (typeof rv !== "string" || rv === "") return undefined;
  const cont = body.metadata.continue;
  return {
    items: records(body.items) as KubeObject[],
    resourceVersion: rv,
    continue: typeof cont === "string" && cont !== "" ? cont : undefined,
  };
}
