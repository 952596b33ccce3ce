import { ListWatcher } from "@switchyard/kit";
import { type MirrorDeps, ServiceMirror } from "./mirror.js";

const labelOf = (service: string): string => `etcd: the watcher of ${JSON.stringify(service)}`;

/**
 * Follows one service in etcd. The first `next()` gives the list once the prefix has been read;
 * later calls wait until the list differs from the one last given. Changes that arrive together
 * (a burst of registrations) reach a waiting `next()` as one list, on a later turn of the event
 * loop, and a consumer that calls `next()` rarely gets only the latest list. Errors never reach
 * `next()`: the last good list stays while the watch is retried. The rest (pending calls, stop,
 * iteration, keeping the process alive while a `next()` waits) is kit's ListWatcher.
 * `detach` runs once, when the watcher stops.
 */
export function watchService(
  deps: MirrorDeps,
  service: string,
  signal: AbortSignal | undefined,
  detach: (watcher: ListWatcher) => void,
): ListWatcher {
  let mirror: ServiceMirror | undefined;
  const watcher = new ListWatcher({
    label: labelOf(service),
    signal,
    current: () => mirror?.current(),
    onStop: (_, stopped) => {
      mirror?.stop();
      detach(stopped);
    },
  });
  if (watcher.isStopped) return watcher;
  // Waiters are woken on a later turn, so that changes arriving together are given as one list.
  let scheduled = false;
  const notify = (): void => {
    scheduled = false;
    const list = mirror?.current();
    if (list !== undefined) watcher.offer(list);
  };
  mirror = new ServiceMirror(deps, service, () => {
    if (scheduled || watcher.isStopped) return;
    scheduled = true;
    setImmediate(notify);
  });
  mirror.start();
  return watcher;
}

/** The watcher a closed registry gives: stopped from the start, saying so. */
export function closedWatcher(service: string): ListWatcher {
  const watcher = new ListWatcher({ label: labelOf(service) });
  watcher.halt("the registry was closed");
  return watcher;
}
