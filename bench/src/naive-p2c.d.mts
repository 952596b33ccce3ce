import type { Clock, DoneInfo, SelectorBuilder } from "@switchyard/api";

/** Options of {@link naiveP2c}. */
export interface NaiveP2cOptions {
  /** Time source, ms; default `performance.now()`. */
  readonly clock?: Pick<Clock, "now">;
  /** Uniform random numbers in [0, 1); default `Math.random`. Called twice per pick. */
  readonly random?: () => number;
  /** Marks more completions as failures, like ewma's option. */
  readonly isFailure?: (info: DoneInfo) => boolean;
}

/** The benchmark's baseline: a plain port of Kratos's p2c + ewma behind the Selector shape. */
export function naiveP2c(options?: NaiveP2cOptions): SelectorBuilder;
