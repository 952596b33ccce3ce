import { InvalidArgumentError, type Logger, type Node, type NodeFilter } from "@switchyard/api";
import { warnSafely } from "@switchyard/kit";
import { DEFAULT_WEIGHT } from "./direct.js";
import { describeValue } from "./node-fields.js";
import { prefer } from "./prefer.js";

/** The environment variable {@link preferZone} reads the caller's zone from when none is given. */
export const ZONE_ENV = "SWITCHYARD_ZONE";
/** The fewest nodes the caller's zone must have for {@link preferZone} to keep calls in it. */
export const DEFAULT_ZONE_MIN_NODES = 2;
/**
 * The least share of the candidates' weight the caller's zone must hold for {@link preferZone} to
 * keep calls in it, as a fraction of an even split over the zones present (0.75: a quarter of the
 * weight with three zones, three eighths with two).
 */
export const DEFAULT_ZONE_MIN_SHARE = 0.75;

/** Options of {@link preferZone}. */
export interface PreferZoneOptions {
  /** The caller's zone, compared with each node's metadata `zone`; default `process.env.SWITCHYARD_ZONE`. */
  readonly zone?: string;
  /** Keep calls in the zone only while it has at least this many nodes (default 2; 1 or more). */
  readonly minNodes?: number;
  /**
   * Keep calls in the zone only while it holds at least this share of an even split of the
   * candidates' weight (publisher weights, 100 when none) over the zones present: default 0.75,
   * 0 turns the check off. With callers spread evenly over the zones, the zone's nodes then carry
   * at most 1/0.75 = 1.33× the fleet's average load.
   */
  readonly minShare?: number;
  /** Where a missing zone is reported when the filter is made; default `process.emitWarning`. */
  readonly logger?: Logger;
}

function invalid(message: string): InvalidArgumentError {
  return new InvalidArgumentError(`preferZone: ${message}`);
}

/**
 * Zone-aware routing: a filter that keeps the nodes whose metadata `zone` is the caller's zone, and
 * falls back to every node (spills to the other zones) when that zone has fewer than `minNodes`
 * nodes among the candidates, or less than `minShare` of an even split of their weight, or none.
 * It counts what it is given: nodes that an earlier filter (or the selector's health layer) left
 * out do not count, so a zone whose nodes fail spills. The result depends on the list alone, so it
 * has a `cacheKey` (`prefer(zone=<zone>,minNodes=<n>,minShare=<s>)`) and is computed once per
 * list. Chain it with other `prefer` filters (see {@link prefer}).
 *
 * The zone comes from `options.zone`, else from the environment variable `SWITCHYARD_ZONE`
 * ({@link ZONE_ENV}), read when the filter is made. With neither, the filter keeps every node and
 * reports that once, through `logger`.
 * @throws InvalidArgumentError when `zone` is not a string, `minNodes` not an integer ≥ 1,
 * `minShare` not a finite number ≥ 0, or `logger` has no `warn` method.
 */
export function preferZone(options: PreferZoneOptions = {}): NodeFilter {
  const zone = options.zone ?? (typeof process === "undefined" ? undefined : process.env[ZONE_ENV]);
  if (zone !== undefined && typeof zone !== "string") {
    throw invalid(`zone must be a string, got ${describeValue(zone)}`);
  }
  const minNodes = options.minNodes ?? DEFAULT_ZONE_MIN_NODES;
  if (!Number.isInteger(minNodes) || minNodes < 1) {
    throw invalid(
      `minNodes must be an integer ≥ 1 (default ${DEFAULT_ZONE_MIN_NODES}), got ${describeValue(minNodes)}`,
    );
  }
  const minShare = options.minShare ?? DEFAULT_ZONE_MIN_SHARE;
  if (typeof minShare !== "number" || !(minShare >= 0) || minShare === Number.POSITIVE_INFINITY) {
    throw invalid(
      `minShare must be a finite number ≥ 0 (default ${DEFAULT_ZONE_MIN_SHARE}), got ${describeValue(minShare)}`,
    );
  }
  const logger = options.logger;
  if (
    logger !== undefined &&
    (typeof logger !== "object" || logger === null || typeof logger.warn !== "function")
  ) {
    throw invalid("logger must be an object with a warn(message, details) method");
  }
  if (zone === undefined || zone === "") {
    warnSafely(
      logger,
      `preferZone: no zone given and ${ZONE_ENV} is not set; calls are not kept in any zone. Set ${ZONE_ENV} ` +
        "(or pass { zone }) to the zone this process runs in, as its nodes' metadata `zone` names it",
    );
  }
  const local = zone ?? "";
  const inZone = (nodes: readonly Node[]): readonly Node[] => {
    if (local === "") return [];
    let count = 0;
    let weight = 0;
    let total = 0;
    const zones = new Set<string>();
    for (const node of nodes) {
      const w = node.initialWeight ?? DEFAULT_WEIGHT;
      const z = node.metadata.zone ?? "";
      zones.add(z);
      total += w;
      if (z !== local) continue;
      count++;
      weight += w;
    }
    if (count < minNodes || weight * zones.size < minShare * total) return [];
    return nodes.filter((node) => node.metadata.zone === local);
  };
  Object.defineProperty(inZone, "cacheKey", {
    value: `zone=${local},minNodes=${minNodes},minShare=${minShare}`,
    enumerable: true,
  });
  return prefer(inZone as NodeFilter);
}
