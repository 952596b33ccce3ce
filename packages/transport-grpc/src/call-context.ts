import type { Metadata } from "@grpc/grpc-js";
import type { NodeFilter, SelectContext, SelectOptions } from "@switchyard/api";

/** The attributes of a gRPC call, as filters and balancers see them in `context.attributes`. */
export interface CallAttributes {
  /** The full method name, `/package.Service/Method` (discovery targets only; see the README). */
  readonly method: string | undefined;
  /** The call's outgoing metadata, without Switchyard's private keys. Read it; do not change it. */
  readonly metadata: Metadata;
}

class Attributes implements CallAttributes {
  readonly method: string | undefined;
  readonly metadata: Metadata;
  constructor(method: string | undefined, metadata: Metadata) {
    this.method = method;
    this.metadata = metadata;
  }
}

/** The select options of one pick: two small objects, no copies. */
export class CallSelectOptions implements SelectOptions {
  readonly filters: readonly NodeFilter[];
  readonly attributes: Readonly<Record<string, unknown>>;
  constructor(
    filters: readonly NodeFilter[],
    method: string | undefined,
    metadata: Metadata,
    extra: Readonly<Record<string, unknown>> | undefined,
  ) {
    this.filters = filters;
    this.attributes =
      extra === undefined
        ? (new Attributes(method, metadata) as unknown as Readonly<Record<string, unknown>>)
        : { ...extra, method, metadata };
  }
}

/** The full method name of the call a filter runs for (`/helloworld.Greeter/SayHello`), if known. */
export function callMethod(context: SelectContext): string | undefined {
  const method = context.attributes?.method;
  return typeof method === "string" ? method : undefined;
}

/**
 * The first value of a metadata key of the call a filter runs for, as a string (binary values in
 * base64), or `undefined`. For filters that route on call metadata:
 * `(nodes, ctx) => callMetadata(ctx, "x-tenant") === "big" ? nodes.filter(isLarge) : nodes`.
 */
export function callMetadata(context: SelectContext, key: string): string | undefined {
  const metadata = context.attributes?.metadata as Metadata | undefined;
  if (typeof metadata?.get !== "function") return undefined;
  const values = metadata.get(key);
  if (values.length === 0) return undefined;
  const value = values[0]!;
  return typeof value === "string" ? value : value.toString("base64");
}
