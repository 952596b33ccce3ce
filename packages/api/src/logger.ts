/**
 * Where Switchyard components report what they refused or retried (a registry entry skipped, a
 * zero-node update refused, a watch error retried). `console` fits; so do pino and winston
 * child loggers through a one-line adapter. Secrets (tokens) are never passed to it.
 */
export interface Logger {
  warn(message: string, details?: Readonly<Record<string, unknown>>): void;
  debug?(message: string, details?: Readonly<Record<string, unknown>>): void;
}
