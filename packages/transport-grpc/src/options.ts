import type { ChannelOptions } from "@grpc/grpc-js";
import type { Clock, Discovery, Logger, NodeFilter, SelectorBuilder } from "@switchyard/api";
import type { BackoffOptions } from "@switchyard/selector-core";

/** What {@link createChannelOptions} takes. */
export interface SwitchyardChannelOptions {
  /**
   * `discovery:///<service>` (instances from `discovery`), or any target grpc-js resolves by
   * itself (`host:port`, `dns:///host:port`, `ipv4:…`) for fixed servers with no discovery.
   */
  readonly target: string;
  /** Where `discovery:///` targets find instances (registry-memory, registry-consul, …). */
  readonly discovery?: Discovery;
  /** Picks a node per call; default the global selector, else smooth weighted round robin. */
  readonly selector?: SelectorBuilder;
  /** Filters every call runs, before per-call ones (such as `version("2.0.0")`). */
  readonly filters?: readonly NodeFilter[];
  /** Nodes kept from the instance list by deterministic subsetting (default 25; 0 keeps all). */
  readonly subsetSize?: number;
  /** This client's subset key (default random per channel, so clients spread). */
  readonly subsetKey?: string;
  /**
   * More grpc-js channel options, merged into the result. A `grpc.service_config` you give keeps
   * its `methodConfig` and `retryThrottling`; its load-balancing choice is replaced by Switchyard's.
   */
  readonly channelOptions?: ChannelOptions;
  /** Retry delays of the registry watch. */
  readonly backoff?: BackoffOptions;
  /**
   * Time source of the watch retries, of the sweep of picks that never became calls, and of the
   * default selector (`wrr()` when no selector is given and no global is set).
   */
  readonly clock?: Clock;
  /** Receives skipped registry entries, refused updates and retried watch errors (default console). */
  readonly logger?: Logger;
}

/** What {@link createChannelOptions} returns: pass both to a grpc-js client or channel. */
export interface SwitchyardChannel {
  /** The target to dial (the one you gave). */
  readonly target: string;
  /** Channel options that route every call through the Switchyard policy. */
  readonly options: ChannelOptions;
}
