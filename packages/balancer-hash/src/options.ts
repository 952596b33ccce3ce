import { type Clock, InvalidArgumentError, type Logger, type SelectContext } from "@switchyard/api";
import { checkClock } from "@switchyard/kit";
import { type SafeRandom, safeRandom } from "@switchyard/selector-core";
import { KeyReader } from "./key-reader.js";

/** The balancer's name, as it appears in error messages. */
export const HASH_NAME = "hash";
/** The default load factor c: no node takes more than ⌈1.25 × average⌉ calls in flight. */
export const DEFAULT_LOAD_FACTOR = 1.25;
/** Ring points of the heaviest node by default (others in proportion to their weight). */
export const DEFAULT_POINTS = 400;

/** Options of `hash`, `hashBalancerBuilder` and `HashBalancer`. */
export interface HashOptions {
  /**
   * The call's key, from its select context: a user id, a session, a cache key; `undefined` when
   * the call has none (it is then balanced by calls in flight, never refused). `keyFromHeader` of
   * `@switchyard/transport-http` and `keyFromMetadata` of `@switchyard/transport-grpc` read one
   * from a request header or from call metadata. A throw or a value that is not a string counts as
   * no key; it is reported through `logger`, at once and then at most once a minute.
   */
  readonly key: (context: SelectContext) => string | undefined;
  /**
   * Bounded loads: a node is given a call only while its calls in flight stay within
   * ⌈loadFactor × average⌉, the average being its weight's share of all calls in flight over the
   * candidates (this one included); otherwise the key walks on to the next node on the ring. A
   * number ≥ 1, default {@link DEFAULT_LOAD_FACTOR}: lower keeps loads closer to even and moves
   * more calls off their key's node; `Infinity` turns the bound off (plain consistent hashing).
   */
  readonly loadFactor?: number;
  /**
   * Ring points of the heaviest node (default {@link DEFAULT_POINTS}); every node gets points in
   * proportion to its weight (at least 1). More points spread keys more evenly and cost memory
   * (about 10 bytes a point, with the lookup index) and build time. A ring holds at most 2²⁰
   * points: past 2,621 nodes at the default, each node gets fewer.
   */
  readonly points?: number;
  /** Uniform random numbers in [0, 1) for calls without a key; default `Math.random` (repaired like p2c's). */
  readonly random?: () => number;
  /** Where a failing `key` function is reported; default `process.emitWarning`. */
  readonly logger?: Logger;
  /** Time source of the report interval (and of `hash()`'s direct nodes); default the system clock. */
  readonly clock?: Clock;
}

/** Checked options, as one balancer runs with them. */
export interface HashSettings {
  readonly keys: KeyReader;
  readonly loadFactor: number;
  readonly points: number;
  readonly random: SafeRandom;
}

function invalid(message: string): InvalidArgumentError {
  return new InvalidArgumentError(`hash: ${message}`);
}

/**
 * Checks `options` and makes the settings of one balancer.
 * @throws InvalidArgumentError when `key` is not a function, `loadFactor` is not a number ≥ 1,
 * `points` is not an integer from 1 to 65536, or `random`, `logger` or `clock` do not fit.
 */
export function hashSettings(options: HashOptions): HashSettings {
  if (typeof options !== "object" || options === null || typeof options.key !== "function") {
    throw invalid(
      "key must be a function from the select context to the call's key (a string) or undefined, " +
        'such as keyFromHeader("x-user-id") of @switchyard/transport-http',
    );
  }
  const loadFactor = options.loadFactor ?? DEFAULT_LOAD_FACTOR;
  if (typeof loadFactor !== "number" || !(loadFactor >= 1)) {
    throw invalid(
      `loadFactor must be a number ≥ 1 (default ${DEFAULT_LOAD_FACTOR}; Infinity turns bounded loads off), ` +
        `got ${String(options.loadFactor)}`,
    );
  }
  const points = options.points ?? DEFAULT_POINTS;
  if (!Number.isInteger(points) || points < 1 || points > 65_536) {
    throw invalid(
      `points must be an integer from 1 to 65536 (default ${DEFAULT_POINTS}), got ${String(options.points)}`,
    );
  }
  const logger = options.logger;
  if (
    logger !== undefined &&
    (typeof logger !== "object" || logger === null || typeof logger.warn !== "function")
  ) {
    throw invalid("logger must be an object with a warn(message, details) method");
  }
  const clock = checkClock(options.clock, HASH_NAME);
  return {
    keys: new KeyReader(options.key, logger, clock),
    loadFactor,
    points,
    random: safeRandom(options.random, HASH_NAME),
  };
}
