import { randomUUID } from "node:crypto";
import type { Logger, ServiceInstance, Watcher } from "@switchyard/api";

type List = readonly ServiceInstance[];

/** A namespace no other test uses, so tests can share one etcd. */
export function uniqueNamespace(): string {
  return `/test-${randomUUID().slice(0, 8)}`;
}

/** An instance of `service` numbered `n`, every field set. */
export function instance(
  service: string,
  n: number,
  overrides: Partial<ServiceInstance> = {},
): ServiceInstance {
  return {
    id: `${service}-${n}`,
    name: service,
    version: "1.0.0",
    metadata: { zone: `z${n % 3}` },
    endpoints: [`http://127.0.0.1:${20_000 + n}`],
    ...overrides,
  };
}

export const ids = (list: List): string[] => list.map((i) => i.id).sort();

/** A logger that keeps what it is told, for asserting on skipped entries and retries. */
export interface RecordingLogger extends Logger {
  readonly lines: string[];
  /** Resolves when a line matching `pattern` is (or was) logged, within `ms`. */
  waitFor(pattern: RegExp, ms: number): Promise<string>;
}

export function recordingLogger(): RecordingLogger {
  const lines: string[] = [];
  const waiters = new Set<() => void>();
  const push = (message: string) => {
    lines.push(message);
    for (const wake of [...waiters]) wake();
  };
  return {
    lines,
    warn: push,
    debug: push,
    waitFor(pattern, ms) {
      return new Promise<string>((resolve, reject) => {
        const check = () => {
          const line = lines.find((l) => pattern.test(l));
          if (line === undefined) return false;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(line);
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no log line matched ${pattern} within ${ms} ms; got:\n${lines.join("\n")}`));
        }, ms);
        if (!check()) waiters.add(check);
      });
    },
  };
}

/** Settles like `promise`, or rejects with `message` after `ms`. */
export async function within<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${message} (after ${ms} ms)`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** What {@link until} also takes. */
export interface UntilOptions {
  /** Added to the failure message (the log, say). */
  readonly context?: () => string;
  /** A `next()` already pending, to take the first list from. */
  readonly pending?: Promise<List>;
}

/**
 * Calls `next()` until a list passes `accept`, within `ms` in all; returns that list and every
 * list seen on the way (so tests can check nothing unwanted was yielded).
 */
export async function until(
  watcher: Watcher,
  accept: (list: List) => boolean,
  ms: number,
  what: string,
  options: UntilOptions = {},
): Promise<{ list: List; seen: List[] }> {
  const deadline = performance.now() + ms;
  const seen: List[] = [];
  let pending = options.pending;
  for (;;) {
    const left = deadline - performance.now();
    const last = seen.length === 0 ? "none" : `[${ids(seen[seen.length - 1]!).join(", ")}]`;
    const failure = `${what}: not seen; last list: ${last}${options.context?.() ?? ""}`;
    if (left <= 0) throw new Error(failure);
    const list = await within(pending ?? watcher.next(), left, failure);
    pending = undefined;
    seen.push(list);
    if (accept(list)) return { list, seen };
  }
}

/** Whether `list` holds exactly the instances with these ids. */
export const hasIds =
  (...expected: string[]) =>
  (list: List): boolean =>
    list.length === expected.length && expected.every((id) => list.some((i) => i.id === id));
