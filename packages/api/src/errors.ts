// Error classes carry a stable `code` and a brand under a `Symbol.for` key, and `instanceof`
// checks the brand, so that `err instanceof NoAvailableNodeError` holds even when the error was
// thrown by another installed copy of this package (or by its CJS build while you import ESM).

const kCode: unique symbol = Symbol.for("switchyard.error.code") as never;

/** Options every Switchyard error takes. */
export interface SwitchyardErrorOptions {
  readonly cause?: unknown;
}

/** Base class of every error Switchyard throws; `code` is stable across versions. */
export class SwitchyardError extends Error {
  /** The code instances of this class carry; `undefined` on the base class (matches any). */
  static readonly CODE: string | undefined = undefined;
  readonly code: string;
  declare readonly [kCode]: string;

  constructor(code: string, message: string, options?: SwitchyardErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = "SwitchyardError";
    this.code = code;
    Object.defineProperty(this, kCode, { value: code, enumerable: false });
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    if (typeof value !== "object" || value === null) return false;
    const code = (value as { [kCode]?: unknown })[kCode];
    if (typeof code !== "string") return false;
    const expected = (this as { CODE?: string }).CODE;
    return expected === undefined || expected === code;
  }
}

/** Thrown by `select` when there is no node at all, or none passes the filters. */
export class NoAvailableNodeError extends SwitchyardError {
  static override readonly CODE = "NO_AVAILABLE_NODE";
  declare readonly code: "NO_AVAILABLE_NODE";
  constructor(message: string, options?: SwitchyardErrorOptions) {
    super(NoAvailableNodeError.CODE, message, options);
    this.name = "NoAvailableNodeError";
  }
}

/** Thrown when a function is given a value it cannot use (an empty address, a NaN weight, …). */
export class InvalidArgumentError extends SwitchyardError {
  static override readonly CODE = "INVALID_ARGUMENT";
  declare readonly code: "INVALID_ARGUMENT";
  constructor(message: string, options?: SwitchyardErrorOptions) {
    super(InvalidArgumentError.CODE, message, options);
    this.name = "InvalidArgumentError";
  }
}

/** Thrown by `select` when a node filter throws (the error is the `cause`) or breaks its contract. */
export class FilterError extends SwitchyardError {
  static override readonly CODE = "FILTER_FAILED";
  declare readonly code: "FILTER_FAILED";
  constructor(message: string, options?: SwitchyardErrorOptions) {
    super(FilterError.CODE, message, options);
    this.name = "FilterError";
  }
}

/** Rejects `Watcher.next()` calls that are pending or made after `stop()`. */
export class WatcherStoppedError extends SwitchyardError {
  static override readonly CODE = "WATCHER_STOPPED";
  declare readonly code: "WATCHER_STOPPED";
  constructor(message: string, options?: SwitchyardErrorOptions) {
    super(WatcherStoppedError.CODE, message, options);
    this.name = "WatcherStoppedError";
  }
}

/**
 * A registry request failed: the registry is unreachable, answered with an error status, or sent
 * a reply that does not parse. `status` is the HTTP status when there was one; `retryable` says
 * whether trying again later may help (false for a rejected token or a malformed request).
 */
export class RegistryError extends SwitchyardError {
  static override readonly CODE = "REGISTRY_ERROR";
  declare readonly code: "REGISTRY_ERROR";
  readonly status: number | undefined;
  readonly retryable: boolean;
  constructor(message: string, options?: SwitchyardErrorOptions & { status?: number; retryable?: boolean }) {
    super(RegistryError.CODE, message, options);
    this.name = "RegistryError";
    this.status = options?.status;
    this.retryable = options?.retryable ?? true;
  }
}
