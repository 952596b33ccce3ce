import {
  type Discovery,
  InvalidArgumentError,
  type RegistryCallOptions,
  type ServiceInstance,
  type Watcher,
} from "@switchyard/api";
import { ListWatcher } from "@switchyard/kit";
import { EMPTY_LIST } from "./service-state.js";
import { checkServiceName, toInstance } from "./validate.js";

const NAME = "static discovery";

/**
 * A {@link Discovery} over a fixed list of instances, for clients that know their servers up
 * front. `getService` gives the instances of one service (frozen copies, null-prototype metadata);
 * a watcher yields that list once and then waits until it is stopped.
 * @throws InvalidArgumentError when `instances` is not an array, an instance is invalid (see
 * `register` of the memory registry for the rules), or two instances of one service share an id.
 */
export function createStaticDiscovery(instances: readonly ServiceInstance[]): Discovery {
  if (!Array.isArray(instances)) {
    throw new InvalidArgumentError(`${NAME}: expected an array of instances, got ${String(instances)}`);
  }
  // One list and one id set per service: a duplicate is found by a set lookup, so building the
  // discovery stays linear in the number of instances.
  const byService = new Map<string, { list: ServiceInstance[]; ids: Set<string> }>();
  instances.forEach((value, i) => {
    const instance = toInstance(value, NAME, `instances[${i}]`);
    let service = byService.get(instance.name);
    if (service === undefined) {
      service = { list: [], ids: new Set() };
      byService.set(instance.name, service);
    }
    if (service.ids.has(instance.id)) {
      throw new InvalidArgumentError(
        `${NAME}: instances[${i}] repeats id ${JSON.stringify(instance.id)} of service ${JSON.stringify(instance.name)}; give each instance its own id`,
      );
    }
    service.ids.add(instance.id);
    service.list.push(instance);
  });
  const lists = new Map<string, readonly ServiceInstance[]>();
  for (const [name, { list }] of byService) lists.set(name, Object.freeze(list));
  return new StaticDiscovery(lists);
}

class StaticDiscovery implements Discovery {
  private readonly lists: ReadonlyMap<string, readonly ServiceInstance[]>;

  constructor(lists: ReadonlyMap<string, readonly ServiceInstance[]>) {
    this.lists = lists;
  }

  async getService(serviceName: string, options?: RegistryCallOptions): Promise<readonly ServiceInstance[]> {
    options?.signal?.throwIfAborted();
    checkServiceName(serviceName, `${NAME}: getService`);
    return this.lists.get(serviceName) ?? EMPTY_LIST;
  }

  watch(serviceName: string, options?: RegistryCallOptions): Watcher {
    checkServiceName(serviceName, `${NAME}: watch`);
    const label = `${NAME}: the watcher of ${JSON.stringify(serviceName)}`;
    const watcher = new ListWatcher({ label, signal: options?.signal });
    watcher.offer(this.lists.get(serviceName) ?? EMPTY_LIST);
    return watcher;
  }
}
