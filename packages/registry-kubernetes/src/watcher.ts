import type { ServiceInstance } from "@switchyard/api";
import { ListWatcher, reportSkipped } from "@switchyard/kit";
import type { KubeHttp } from "./http.js";
import { instancesOf } from "./instances.js";
import type { KubeObject } from "./objects.js";
import { Reflector } from "./reflector.js";
import { asRegistryError, report } from "./report.js";
import { resourceOf } from "./resource.js";
import type { Settings } from "./settings.js";

/**
 * Starts following one service: a reflector keeps its objects (list, then watch), each change is
 * mapped onto instances and offered to the watcher, which yields only real changes. Errors never
 * reach `next()`: they are reported and retried, and the last good list stays.
 */
export function startWatch(
  http: KubeHttp,
  settings: Settings,
  service: string,
  signal: AbortSignal | undefined,
  detach: (watcher: ListWatcher) => void,
): ListWatcher {
  let reflector: Reflector | undefined;
  let reported = new Set<string>();
  const watcher: ListWatcher = new ListWatcher({
    label: `kubernetes: the watcher of "${service}"`,
    signal,
    // `stopped`, not `watcher`: an aborted signal stops the watcher inside its constructor.
    onStop: (error, stopped) => {
      reflector?.stop(error);
      detach(stopped);
    },
  });
  if (watcher.isStopped) return watcher;
  const changed = (objects: ReadonlyMap<string, KubeObject>): void => {
    const mapped = instancesOf(settings, objects.values(), service);
    const now = new Set(mapped.skipped);
    reportSkipped("kubernetes", settings, now, { operation: "watch", serviceName: service }, reported);
    reported = now;
    watcher.offer(mapped.instances as readonly ServiceInstance[]);
  };
  reflector = new Reflector(http, settings, resourceOf(settings, service), {
    changed,
    failed: (error, retryInMs) =>
      report(settings, asRegistryError(settings, error, `watching "${service}"`), {
        operation: "watch",
        serviceName: service,
        retryInMs,
      }),
  });
  reflector.start();
  return watcher;
}
