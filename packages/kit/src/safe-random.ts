import { InvalidArgumentError } from "@switchyard/api";
import { errorMessage, warnSafely } from "./report.js";

/** The largest double below 1: what a draw of 1 or more counts as. */
const BELOW_ONE = 1 - 2 ** -53;

// Why a bad draw is repaired, not thrown. The draw is the component's own business: when a
// balancer draws, the node list is fine and the caller did nothing wrong, and when a backoff
// draws, a retry is due. Throwing would turn a bug in a helper (a source that can return exactly 1
// is a common off-by-one) into lost requests or a watch that is never re-created, on a path users
// rarely test. So each repair keeps what the draw meant: 1 or more counts as the largest draw
// below 1 (a balancer's last node), below 0 as 0 (its first), and a draw that means no position at
// all (NaN, not a number, a throw) takes Math.random's, so traffic stays uniform. The first bad
// draw of each source is reported once (a process warning with code SWITCHYARD_WARNING: these
// components have no logger), so the bug is seen without a report per call.

/** A user's uniform random source, made safe to draw from: see {@link safeRandom}. */
export class SafeRandom {
  private readonly random: () => number;
  private readonly component: string;
  private reported = false;

  constructor(random: () => number, component: string) {
    this.random = random;
    this.component = component;
  }

  /** A number in [0, 1), whatever the source does. A draw in range costs a type check and two comparisons. */
  next(): number {
    let draw: unknown;
    try {
      draw = this.random();
    } catch (error) {
      this.report(`threw (${errorMessage(error)})`, error);
      return Math.random();
    }
    if (typeof draw === "number" && draw >= 0 && draw < 1) return draw;
    return this.repair(draw);
  }

  private repair(draw: unknown): number {
    if (typeof draw === "number" && draw >= 1) {
      this.report(`returned ${draw}`, undefined);
      return BELOW_ONE;
    }
    if (typeof draw === "number" && draw < 0) {
      this.report(`returned ${draw}`, undefined);
      return 0;
    }
    // NaN, or not a number: shown by type (String() of an object can throw).
    const shown =
      typeof draw === "number" ? "NaN" : typeof draw === "string" ? JSON.stringify(draw) : typeof draw;
    this.report(`returned ${shown}`, undefined);
    return Math.random();
  }

  private report(what: string, error: unknown): void {
    if (this.reported) return;
    this.reported = true;
    warnSafely(
      undefined,
      `${this.component}: the random source ${what}, not a number in [0, 1); the draw was repaired, and ` +
        `later bad draws are repaired without a report: fix the random option`,
      { error },
    );
  }
}

/**
 * Wraps a user's uniform random source (default `Math.random`) so that a bad draw never fails the
 * caller: a number of 1 or more counts as the largest draw below 1, a negative one as 0, and NaN, a
 * non-number or a throw is replaced by a `Math.random()` draw. The first bad draw is reported once
 * as a process warning naming `component`. For balancer authors whose `random` option must not
 * crash a pick.
 * @throws InvalidArgumentError when `random` is given but is not a function.
 */
export function safeRandom(random: (() => number) | undefined, component: string): SafeRandom {
  if (random !== undefined && typeof random !== "function") {
    throw new InvalidArgumentError(
      `${component}: random must be a function returning numbers in [0, 1), such as Math.random; got ${typeof random}`,
    );
  }
  return new SafeRandom(random ?? Math.random, component);
}
