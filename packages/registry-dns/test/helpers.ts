import type { Logger } from "@switchyard/api";

export interface LogLine {
  readonly level: "warn" | "debug";
  readonly message: string;
  readonly details: Readonly<Record<string, unknown>> | undefined;
}

/** A logger that keeps every line, and lets a test wait for one (never for a time). */
export interface RecordingLogger extends Logger {
  readonly lines: LogLine[];
  warns(): string[];
  /** Resolves with the first line from now on that matches. */
  next(level: LogLine["level"], pattern: RegExp): Promise<LogLine>;
}

export function recordingLogger(): RecordingLogger {
  const lines: LogLine[] = [];
  const waiters: { level: string; pattern: RegExp; resolve: (line: LogLine) => void }[] = [];
  const add = (
    level: LogLine["level"],
    message: string,
    details?: Readonly<Record<string, unknown>>,
  ): void => {
    const line = { level, message, details };
    lines.push(line);
    for (const waiter of [...waiters]) {
      if (waiter.level === level && waiter.pattern.test(message)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    }
  };
  return {
    lines,
    warn: (message, details) => add("warn", message, details),
    debug: (message, details) => add("debug", message, details),
    warns: () => lines.filter((line) => line.level === "warn").map((line) => line.message),
    next: (level, pattern) => new Promise((resolve) => waiters.push({ level, pattern, resolve })),
  };
}

/** The ids of a list, sorted. */
export const idsOf = (list: readonly { id: string }[]): string[] =>
  list.map((instance) => instance.id).sort();
