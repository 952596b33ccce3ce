/** One instance of a service as registries store it (the shape Kratos services use too). */
export interface ServiceInstance {
  /** Unique id of the instance within its service. */
  readonly id: string;
  /** Service name. */
  readonly name: string;
  /** Version string, may be empty. */
  readonly version: string;
  /** Free-form string metadata; `weight` sets the node's initial weight. */
  readonly metadata: Readonly<Record<string, string>>;
  /** Endpoint URLs, such as `http://10.0.0.5:8000?isSecure=false` or `grpc://10.0.0.5:9000`. */
  readonly endpoints: readonly string[];
}

/** Options every async registry call takes. */
export interface RegistryCallOptions {
  readonly signal?: AbortSignal;
}

/** Publishes instances of the local process. */
export interface Registrar {
  register(instance: ServiceInstance, options?: RegistryCallOptions): Promise<void>;
  deregister(instance: ServiceInstance, options?: RegistryCallOptions): Promise<void>;
}

/**
 * Yields the whole current instance list of one service on every change. The first `next()`
 * resolves with the list as it is now; later ones wait for a change (an equal list is no change),
 * and a change goes to every `next()` waiting when it arrives. After `stop()`, pending and later
 * `next()` calls reject with `WatcherStoppedError`, and async iteration ends; when the signal given
 * to `watch()` aborts, the watcher stops the same way, with the signal's reason as the error's
 * `cause`. `@switchyard/kit`'s `ListWatcher` implements all of this for registry authors.
 */
export interface Watcher extends AsyncIterable<readonly ServiceInstance[]> {
  next(options?: RegistryCallOptions): Promise<readonly ServiceInstance[]>;
  /** Ends the watch at once, aborting any request in flight. Idempotent. */
  stop(): Promise<void>;
}

/** Finds the instances of services. */
export interface Discovery {
  getService(serviceName: string, options?: RegistryCallOptions): Promise<readonly ServiceInstance[]>;
  watch(serviceName: string, options?: RegistryCallOptions): Watcher;
}
