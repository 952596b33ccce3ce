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

/**
 * The select options of one pick: one small object, no copies. Its `attributes` object is made when
 * something reads it (a filter or a balancer that routes on the call), so a pick that no one asks
 * about does not allocate it.
 */
export class CallSelectOptions implements SelectOptions {
  readonly filters: readonly NodeFilter[];
  private readonly method: string | undefined;
  private readonly metadata: Metadata;
  private made: Readonly<Record<string, unknown>> | undefined;

  constructor(
    filters: readonly NodeFilter[],
    method: string | undefined,
    metadata: Metadata,
    extra: Readonly<Record<string, unknown>> | undefined,
  ) {
    this.filters = filters;
    this.method = method;
    this.metadata = metadata;
    this.made = extra === undefined ? undefined : { ...extra, method, metadata };
  }

  get attributes(): Readonly<Record<string, unknown>> {
    let made = this.made;
    if (made === undefined) {
      made = new Attributes(this.method, this.metadata) as unknown as Readonly<Record<string, unknown>>;
      this.made = made;
    }
    return made;
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
