import { InterceptingCall, type Interceptor } from "@grpc/grpc-js";
import { InvalidArgumentError, type NodeFilter } from "@switchyard/api";
import { ROUTE_METADATA_KEY } from "./channel/names.js";

/** What {@link createRouteInterceptor} takes. */
export interface RouteOptions {
  /** Filters the calls of the interceptor run after the channel's (such as `version("2.0.0")`). */
  readonly filters?: readonly NodeFilter[];
  /** Merged into `context.attributes` of those calls, for the channel's filters and the balancer. */
  readonly attributes?: Readonly<Record<string, unknown>>;
}

/** A registered route: what the picker finds behind the id a call carries. */
export interface Route {
  readonly id: string;
  readonly filters: readonly NodeFilter[];
  readonly attributes: Readonly<Record<string, unknown>> | undefined;
  /** The channel's filters followed by the route's, per channel filter list (made once each). */
  readonly combined: WeakMap<readonly NodeFilter[], readonly NodeFilter[]>;
}

interface RouteTable {
  next: number;
  readonly routes: Map<string, Route>;
  readonly cleanup: FinalizationRegistry<string>;
}

// Shared through globalThis so that two copies of this package in one process agree on ids.
const TABLE_KEY = Symbol.for("switchyard.transport-grpc.routes");

function table(): RouteTable {
  const holder = globalThis as { [TABLE_KEY]?: RouteTable };
  let found = holder[TABLE_KEY];
  if (found === undefined) {
    const routes = new Map<string, Route>();
    found = { next: 0, routes, cleanup: new FinalizationRegistry((id) => routes.delete(id)) };
    Object.defineProperty(holder, TABLE_KEY, { value: found, enumerable: false });
  }
  return found;
}

/** The route registered under `id`, if its interceptor is still alive. */
export function findRoute(id: string): Route | undefined {
  return table().routes.get(id);
}

function check(options: RouteOptions): void {
  const fail = (message: string): never => {
    throw new InvalidArgumentError(`transport-grpc: createRouteInterceptor: ${message}`);
  };
  if (typeof options !== "object" || options === null) fail("expected an options object");
  if (options.filters !== undefined && !Array.isArray(options.filters)) fail("filters must be an array");
  for (const filter of options.filters ?? []) {
    if (typeof filter !== "function") fail(`filters must be functions, got ${typeof filter}`);
  }
  const attributes = options.attributes;
  if (attributes !== undefined && (typeof attributes !== "object" || attributes === null)) {
    fail("attributes must be an object");
  }
}

/**
 * A grpc-js client interceptor that routes the calls it is attached to with extra filters and
 * attributes: `client.sayHello(req, { interceptors: [canary] }, cb)`, or in the client's
 * `interceptors` option for every call. It puts a private id in the call metadata; the Switchyard
 * picker reads it, removes it before the call is sent, and adds the route's filters after the
 * channel's. Create each route once and reuse it: the route stays registered while the
 * interceptor is reachable. A call with a route whose channel does not use the Switchyard policy
 * sends the id to the server as an ordinary `x-switchyard-route` header.
 * @throws InvalidArgumentError when a filter is not a function or attributes is not an object.
 */
export function createRouteInterceptor(options: RouteOptions): Interceptor {
  check(options);
  const registry = table();
  const id = `r${(registry.next++).toString(36)}`;
  const filters = Object.freeze([...(options.filters ?? [])]);
  const attributes = options.attributes === undefined ? undefined : Object.freeze({ ...options.attributes });
  registry.routes.set(id, { id, filters, attributes, combined: new WeakMap() });
  const interceptor: Interceptor = (callOptions, nextCall) =>
    new InterceptingCall(nextCall(callOptions), {
      start(metadata, listener, next) {
        metadata.set(ROUTE_METADATA_KEY, id);
        next(metadata, listener);
        void interceptor; // the call keeps its interceptor, hence its route, reachable
      },
    });
  registry.cleanup.register(interceptor, id);
  return interceptor;
}
