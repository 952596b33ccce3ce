import type { SelectContext } from "@switchyard/api";

type HeaderShape =
  | readonly (string | Buffer)[]
  | Iterable<readonly [string, string]>
  | Readonly<Record<string, string | string[] | undefined>>
  | null
  | undefined;

/**
 * Reads a request header from a select context, whatever shape undici gave the headers in (a flat
 * `[name, value, …]` array, `[name, value]` pairs, or an object). Names compare case-insensitively.
 * For filters that route on a header:
 * `(nodes, ctx) => requestHeader(ctx, "x-canary") === "1" ? nodes.filter(isCanary) : nodes`.
 */
export function requestHeader(context: SelectContext, name: string): string | undefined {
  return headerIn(context.attributes?.headers as HeaderShape, name.toLowerCase());
}

function headerIn(headers: HeaderShape, wanted: string): string | undefined {
  if (headers === null || headers === undefined) return undefined;
  if (Array.isArray(headers)) {
    if (headers.length > 0 && Array.isArray(headers[0])) return fromPairs(headers as never, wanted);
    for (let i = 0; i + 1 < headers.length; i += 2) {
      if (String(headers[i]).toLowerCase() === wanted) return String(headers[i + 1]);
    }
    return undefined;
  }
  if (typeof (headers as Iterable<unknown>)[Symbol.iterator] === "function") {
    return fromPairs(headers as Iterable<readonly [string, string]>, wanted);
  }
  for (const key of Object.keys(headers)) {
    if (key.toLowerCase() !== wanted) continue;
    const value = (headers as Record<string, string | string[] | undefined>)[key];
    return Array.isArray(value) ? value.join(", ") : value;
  }
  return undefined;
}

function fromPairs(pairs: Iterable<readonly [string, string]>, wanted: string): string | undefined {
  for (const [key, value] of pairs) if (key.toLowerCase() === wanted) return value;
  return undefined;
}
