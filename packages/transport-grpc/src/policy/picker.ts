import { experimental, Metadata, type MetadataValue, status } from "@grpc/grpc-js";
import {
  type DeferredSelection,
  NoAvailableNodeError,
  type NodeFilter,
  type Selector,
} from "@switchyard/api";
import { CallSelectOptions } from "../call-context.js";
import { METHOD_PICK_KEY, ROUTE_METADATA_KEY } from "../channel/names.js";
import { findRoute, type Route } from "../route.js";
import type { ChannelNode } from "./channel-node.js";
import type { Limbo } from "./limbo.js";
import type { ThrowReport } from "./report.js";
import { CountedSelection, LimboCall, TrackedCall } from "./tracked-call.js";

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function failed(type: experimental.PickResultType, code: number, details: string): experimental.PickResult {
  return {
    pickResultType: type,
    subchannel: null,
    status: { code, details, metadata: new Metadata() },
    onCallStarted: null,
    onCallEnded: null,
  };
}

const QUEUED: experimental.PickResult = Object.freeze({
  pickResultType: experimental.PickResultType.QUEUE,
  subchannel: null,
  status: null,
  onCallStarted: null,
  onCallEnded: null,
});

/**
 * The values of the route key in a call's metadata, if any. grpc-js 1.14 keeps metadata in a `Map`
 * of lower-case keys (`internalRepr`); reading it there skips what `Metadata.get` does on every call
 * (lower-casing and checking the key, and an empty array when absent), which was a tenth of the
 * picker's allocation. Another shape falls back to `get`.
 */
function routeTag(metadata: Metadata): MetadataValue[] | undefined {
  const map = (metadata as unknown as { internalRepr?: unknown }).internalRepr;
  if (map instanceof Map) {
    const values = map.get(ROUTE_METADATA_KEY) as MetadataValue[] | undefined;
    return values !== undefined && values.length > 0 ? values : undefined;
  }
  const values = metadata.get(ROUTE_METADATA_KEY);
  return values.length > 0 ? values : undefined;
}

function filtersOf(route: Route, own: readonly NodeFilter[]): readonly NodeFilter[] {
  if (own.length === 0) return route.filters;
  let combined = route.combined.get(own);
  if (combined === undefined) {
    combined = Object.freeze([...own, ...route.filters]);
    route.combined.set(own, combined);
  }
  return combined;
}

/**
 * The picker of the Switchyard policy while at least one subchannel is READY. Each pick reads the
 * call's route id from the metadata (and strips it), asks the selector (whose node list is the
 * READY subchannels, rebuilt only when a state changes) for a two-phase pick (`selectDeferred`, when
 * the selector has it: the call counts on its node from grpc-js's `onCallStarted`) and returns the
 * node's subchannel with the call's bookkeeping. No node after filtering queues the call while other subchannels are still
 * connecting (`settling`: a node the filters want may be about to become READY), and fails it as
 * UNAVAILABLE otherwise (a `waitForReady` call waits for the next picker); a filter or selector
 * error drops the call as INTERNAL.
 */
export class SwitchyardPicker implements experimental.Picker {
  /** Set by the policy: some subchannels are CONNECTING or IDLE. */
  settling = false;
  private readonly selector: Selector;
  private readonly filters: readonly NodeFilter[];
  private readonly limbo: Limbo;
  private readonly doneThrows: ThrowReport;

  constructor(selector: Selector, filters: readonly NodeFilter[], limbo: Limbo, doneThrows: ThrowReport) {
    this.selector = selector;
    this.filters = filters;
    this.limbo = limbo;
    this.doneThrows = doneThrows;
  }

  pick(args: experimental.PickArgs): experimental.PickResult {
    const metadata = args.metadata;
    let filters = this.filters;
    let extra: Readonly<Record<string, unknown>> | undefined;
    const tagged = routeTag(metadata);
    if (tagged !== undefined) {
      metadata.remove(ROUTE_METADATA_KEY);
      const id = String(tagged[0]);
      const route = findRoute(id);
      if (route === undefined) {
        return failed(
          experimental.PickResultType.DROP,
          status.INTERNAL,
          `transport-grpc: the call names route ${JSON.stringify(id)}, which is not registered; ` +
            "keep the interceptor from createRouteInterceptor referenced while its calls run",
        );
      }
      filters = filtersOf(route, filters);
      extra = route.attributes;
    }
    let picked: DeferredSelection;
    try {
      const options = new CallSelectOptions(filters, args.extraPickInfo[METHOD_PICK_KEY], metadata, extra);
      const selector = this.selector;
      if (selector.selectDeferred !== undefined) picked = selector.selectDeferred(options);
      else {
        const result = selector.select(options);
        picked = new CountedSelection(result.node, result.done);
      }
    } catch (error) {
      if (!(error instanceof NoAvailableNodeError)) {
        return failed(experimental.PickResultType.DROP, status.INTERNAL, describe(error));
      }
      return this.settling
        ? QUEUED
        : failed(experimental.PickResultType.TRANSIENT_FAILURE, status.UNAVAILABLE, error.message);
    }
    const subchannel = (picked.node as Partial<ChannelNode>).subchannel;
    if (subchannel === undefined) {
      try {
        picked.done();
      } catch (error) {
        this.doneThrows.report(error, picked.node?.address);
      }
      return failed(
        experimental.PickResultType.DROP,
        status.INTERNAL,
        `transport-grpc: the selector returned node ${picked.node?.address}, which it was not given; ` +
          "a Selector must return one of the nodes of its last apply()",
      );
    }
    return picked.deferred
      ? new TrackedCall(subchannel, picked, this.doneThrows)
      : new LimboCall(subchannel, picked, this.limbo, this.doneThrows);
  }
}
