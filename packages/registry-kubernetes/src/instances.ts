import type { ServiceInstance } from "@switchyard/api";
import type { KubeObject, Mapped } from "./objects.js";
import { instancesFromPods } from "./pods.js";
import type { Settings } from "./settings.js";
import { instancesFromSlices } from "./slices.js";

/** The instances of `service` in `objects`, by the configured layout. */
export function instancesOf(
  settings: Settings,
  objects: Iterable<KubeObject>,
  service: string,
): Mapped<readonly ServiceInstance[]> {
  return settings.layout === "kratos"
    ? instancesFromPods(objects, service)
    : instancesFromSlices(objects, service, settings.defaultScheme);
}
