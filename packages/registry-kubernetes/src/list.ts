import { RegistryError } from "@switchyard/api";
import type { KubeHttp } from "./http.js";
import type { KubeObject } from "./objects.js";
import { listCall, parsePage, type ServiceResource } from "./resource.js";
import type { Settings } from "./settings.js";

/** A consistent list of a service's objects, by name, and the resourceVersion it was read at. */
export interface Snapshot {
  readonly objects: Map<string, KubeObject>;
  readonly resourceVersion: string;
}

/** How many times a list whose continue token expired (410) starts over before it is an error. */
const RESTARTS = 2;

/**
 * Lists every object in pages of `pageSize` (`limit`/`continue`): all pages come from the snapshot
 * of the first one. When the API server has compacted that snapshot away before the last page
 * (410 Expired on a continue token), the list starts over, at most twice.
 * @throws RegistryError when the API server refuses, fails or answers with something that is not a list.
 */
export async function listAll(
  http: KubeHttp,
  settings: Settings,
  resource: ServiceResource,
  signal: AbortSignal | undefined,
): Promise<Snapshot> {
  for (let restart = 0; ; restart++) {
    const objects = new Map<string, KubeObject>();
    let cont: string | undefined;
    let resourceVersion = "";
    try {
      do {
        const call = listCall(resource, settings, cont, signal);
        const page = parsePage(await http.getJson(call));
        if (page === undefined) {
          throw new RegistryError(
            `kubernetes: ${call.what} got an answer that is not a list with a resourceVersion; is ${settings.access.server} a Kubernetes API server?`,
            { retryable: true },
          );
        }
        if (resourceVersion === "") resourceVersion = page.resourceVersion;
        for (const item of page.items) objects.set(item.metadata?.name ?? "", item);
        cont = page.continue;
      } while (cont !== undefined);
      return { objects, resourceVersion };
    } catch (error) {
      if (
        !(error instanceof RegistryError && error.status === 410 && cont !== undefined && restart < RESTARTS)
      )
        throw error;
    }
  }
}
