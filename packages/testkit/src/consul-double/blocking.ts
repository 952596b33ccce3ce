// Consul's blocking queries, shared by every read endpoint of the double that supports them:
// `index` > 0 holds the request until the endpoint's index exceeds it or `wait` (default 5 min, at
// most 10 min, plus a random wait/16) elapses; a wake-up whose index is not past `index` keeps
// holding, as Consul's blocking loop re-runs the query and goes back to sleep.
import type { TimerHandle } from "@switchyard/api";
import type { DoubleContext, DoubleRequest } from "./context.js";
import { parseGoDuration } from "./duration.js";
import { HttpError } from "./reply.js";

const DEFAULT_WAIT_MS = 5 * 60_000;
const MAX_WAIT_MS = 10 * 60_000;

/** What one evaluation of a read found, and the index it is at. */
export interface Evaluation {
  readonly index: number;
}

function parseBlocking(query: URLSearchParams): { minIndex: number; waitMs: number } {
  let waitMs = DEFAULT_WAIT_MS;
  const wait = query.get("wait");
  if (wait !== null && wait !== "") {
    const parsed = parseGoDuration(wait);
    if (parsed === undefined) throw new HttpError(400, "Invalid wait time");
    waitMs = parsed > MAX_WAIT_MS ? MAX_WAIT_MS : parsed <= 0 ? DEFAULT_WAIT_MS : parsed;
  }
  let minIndex = 0;
  const index = query.get("index");
  if (index !== null && index !== "") {
    if (!/^\d+$/.test(index)) throw new HttpError(400, "Invalid index");
    minIndex = Number(index);
  }
  return { minIndex, waitMs };
}

/**
 * Answers a read with Consul's blocking-query rules: at once when the request has no `index` or
 * the read is already past it; else when a write moves it past, or when `wait` elapses (then with
 * whatever the read finds, the same index included). `evaluate` runs the read; `send` answers.
 * @throws HttpError 400 for a malformed `index` or `wait`.
 */
export function answerBlocking<T extends Evaluation>(
  ctx: DoubleContext,
  request: DoubleRequest,
  evaluate: () => T,
  send: (evaluation: T) => void,
): void {
  const { minIndex, waitMs } = parseBlocking(request.query);
  const first = evaluate();
  if (minIndex === 0 || first.index > minIndex) {
    send(first);
    return;
  }
  request.markBlocking();
  ctx.held += 1;
  let timer: TimerHandle | undefined;
  let done = false;
  const finish = (reply: boolean): void => {
    if (done) return;
    done = true;
    ctx.held -= 1;
    unsubscribe();
    ctx.clock.clearTimeout(timer);
    request.res.off("close", onClose);
    if (reply && !request.res.destroyed) send(evaluate());
  };
  const onClose = (): void => finish(false);
  const unsubscribe = ctx.state.onChange(() => {
    if (evaluate().index > minIndex) finish(true);
  });
  const jitter = ctx.blockingJitter ? ctx.random() * (waitMs / 16) : 0;
  timer = ctx.clock.setTimeout(() => finish(true), waitMs + jitter);
  request.res.on("close", onClose);
}
