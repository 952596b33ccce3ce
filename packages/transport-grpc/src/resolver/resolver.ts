import { type ChannelOptions, experimental, status } from "@grpc/grpc-js";
import { createResolver, type Resolver, type ResolverUpdate } from "@switchyard/selector-core";
import { endpointsOf } from "../channel/endpoint.js";
import { PLAN_OPTION } from "../channel/names.js";
import { type ChannelPlan, planOf } from "../channel/plan.js";
import { POLICY_CONFIG, readServiceConfig, SERVICE_CONFIG_OPTION } from "../channel/service-config.js";
import { serviceNameOf } from "../channel/target.js";
import { MethodConfigSelector } from "./config-selector.js";

type ServiceConfigResult = Parameters<experimental.ResolverListener>[2];

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function parsedServiceConfig(options: ChannelOptions): Record<string, unknown> | undefined {
  try {
    return readServiceConfig(options[SERVICE_CONFIG_OPTION]);
  } catch {
    return undefined; // grpc-js rejects a bad service config before it creates a resolver
  }
}

/**
 * The grpc-js name resolver of `discovery:///<service>` targets. It runs the shared resolver loop
 * of `@switchyard/selector-core` over the channel's `Discovery` (grpc/grpcs endpoints, duplicates
 * dropped, subset, empty updates refused, watch errors retried with backoff) and hands each
 * node list to grpc-js as one endpoint per node that carries the node itself, so the policy wraps
 * the loop's own node objects (version, metadata and weight of the instances) with no copy and no
 * lookup; a config selector gives the picker each call's method.
 * Before the first list, a watch error fails calls fast with UNAVAILABLE; after it, the last list
 * keeps serving.
 */
export class DiscoveryResolver implements experimental.Resolver {
  private readonly serviceName: string;
  private readonly plan: ChannelPlan | undefined;
  private readonly listener: experimental.ResolverListener;
  private readonly configSelector: MethodConfigSelector;
  private readonly serviceConfig: ServiceConfigResult;
  /** The resolver attributes of every result: the config selector, nothing per update. */
  private readonly attributes: Record<string, unknown>;
  private watch: Resolver | undefined = undefined;
  /** Bumped by `destroy`, so that reports scheduled before it are dropped. */
  private generation = 0;

  constructor(
    target: experimental.GrpcUri,
    listener: experimental.ResolverListener,
    options: ChannelOptions,
  ) {
    this.serviceName = serviceNameOf(target.path, experimental.uriToString(target));
    this.plan = planOf(options, PLAN_OPTION);
    this.listener = listener;
    const serviceConfig = parsedServiceConfig(options);
    this.configSelector = new MethodConfigSelector(serviceConfig);
    this.attributes = { [experimental.CHANNEL_ARGS_CONFIG_SELECTOR_KEY]: this.configSelector };
    // With a service config option, grpc-js uses it (createChannelOptions puts the policy there);
    // without one, the resolver chooses the policy.
    this.serviceConfig =
      serviceConfig !== undefined
        ? null
        : experimental.statusOrFromValue({ loadBalancingConfig: [...POLICY_CONFIG], methodConfig: [] });
  }

  /** The authority of calls (and the TLS name by default): the service name. */
  static getDefaultAuthority(target: experimental.GrpcUri): string {
    return serviceNameOf(target.path, experimental.uriToString(target));
  }

  updateResolution(): void {
    if (this.watch !== undefined) return; // the watch pushes every change by itself
    const discovery = this.plan?.discovery;
    if (this.plan === undefined || discovery === undefined) {
      this.failLater(
        `transport-grpc: the channel for "${this.serviceName}" has no discovery; build its options with ` +
          "createChannelOptions({ target, discovery })",
      );
      return;
    }
    const plan = this.plan;
    try {
      const watch: Resolver = createResolver({
        discovery,
        serviceName: this.serviceName,
        family: "grpc",
        subsetSize: plan.subsetSize,
        subsetKey: plan.subsetKey,
        backoff: plan.backoff,
        clock: plan.clock,
        logger: plan.logger,
        onUpdate: (update) => {
          if (this.watch === watch) this.deliver(update);
        },
        onError: (error) => {
          if (this.watch === watch && watch.current() === undefined) this.fail(this.failure(error));
        },
      });
      this.watch = watch;
    } catch (error) {
      this.failLater(`transport-grpc: cannot watch "${this.serviceName}": ${describe(error)}`);
    }
  }

  destroy(): void {
    this.generation++;
    const watch = this.watch;
    this.watch = undefined;
    void watch?.close();
  }

  private deliver(update: ResolverUpdate): void {
    const endpoints = endpointsOf(update);
    const note = `discovery of "${this.serviceName}": ${endpoints.length} instance(s)`;
    this.listener(experimental.statusOrFromValue(endpoints), this.attributes, this.serviceConfig, note);
  }

  private failure(error: unknown): string {
    return (
      `transport-grpc: watching "${this.serviceName}" failed before any instance was found ` +
      `(${describe(error)}); retrying with backoff`
    );
  }

  private fail(details: string): void {
    const error = experimental.statusOrFromError<experimental.Endpoint[]>({
      code: status.UNAVAILABLE,
      details,
    });
    this.listener(error, this.attributes, this.serviceConfig, details);
  }

  /** Reports a failure on a later tick (never from the call that asked), unless destroyed meanwhile. */
  private failLater(details: string): void {
    const generation = this.generation;
    setImmediate(() => {
      if (this.generation === generation) this.fail(details);
    });
  }
}
