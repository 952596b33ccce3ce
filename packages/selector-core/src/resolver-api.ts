import {
  type Clock,
  type Discovery,
  InvalidArgumentError,
  type Logger,
  SwitchyardError,
  type SwitchyardErrorOptions,
} from "@switchyard/api";
import type { BackoffOptions } from "@switchyard/kit";
import type { EndpointFamily } from "./endpoint.js";
import type { ResolverUpdate } from "./resolver-update.js";

/** How long `Resolver.ready()` waits by default, in ms. */
export const DEFAULT_READY_TIMEOUT_MS = 10_000;

/** What `createResolver` takes. */
export interface ResolverOptions {
  /** Where the instances come from. */
  readonly discovery: Discovery;
  /** The service to watch. */
  readonly serviceName: string;
  /** `http` keeps http and https endpoints, `grpc` keeps grpc and grpcs (secure per `isSecure`). */
  readonly family: EndpointFamily;
  /** Nodes kept per update, chosen by consistent hashing of addresses; default 25, 0 keeps all. */
  readonly subsetSize?: number;
  /** The client's key for the subset; default a random one per resolver. */
  readonly subsetKey?: string;
  /** Time source for retries and `ready()` timeouts; default the system clock (unref'd timers). */
  readonly clock?: Clock;
  /** Receives skipped instances, refused updates and retried errors; default `console`. */
  readonly logger?: Logger;
  /** Retry delays after a watch error; defaults in `DEFAULT_BACKOFF`. */
  readonly backoff?: BackoffOptions;
  /**
   * Receives every new non-empty node list, always asynchronously, and only when it differs from
   * the last one delivered. If it throws, the list is dropped (logged, passed to `onError`) and
   * the previous one stays current.
   */
  readonly onUpdate: (update: ResolverUpdate) => void;
  /** Receives each watch error before its retry, and each error `onUpdate` throws; optional. */
  readonly onError?: (error: unknown) => void;
}

/** Options of {@link Resolver.ready}. */
export interface ReadyOptions {
  /** Give up after this many ms; default {@link DEFAULT_READY_TIMEOUT_MS}; `Infinity` waits forever. */
  readonly timeoutMs?: number;
  /** Stops waiting; `ready()` then rejects with the signal's reason. */
  readonly signal?: AbortSignal;
}

/** A running watch of one service that feeds node lists to its consumer. */
export interface Resolver {
  /** The watched service. */
  readonly serviceName: string;
  /**
   * Resolves once the first non-empty node list has been delivered (at once if one has).
   * Rejects with {@link ResolveTimeoutError} when none arrives within `timeoutMs`, with
   * {@link ResolverClosedError} when the resolver closes first or is closed already (even if it was
   * ready before), with the signal's reason
   * when it aborts, and with `InvalidArgumentError` when `timeoutMs` is not a positive number.
   * While it is pending it keeps the process alive (the watch alone never does), so a top-level
   * `await resolver.ready()` settles instead of the process exiting first.
   */
  ready(options?: ReadyOptions): Promise<void>;
  /** The last list delivered to `onUpdate`, or `undefined` before the first. */
  current(): ResolverUpdate | undefined;
  /**
   * Stops the watch (`watcher.stop()`), cancels retries, discards results still in flight and
   * rejects pending `ready()` calls. Idempotent: later calls return the same promise. Never rejects.
   */
  close(): Promise<void>;
}

/**
 * Rejects `Resolver.ready()` when no usable node list arrived in time. `cause` is the last watch
 * error, when there was one.
 */
export class ResolveTimeoutError extends SwitchyardError {
  static override readonly CODE = "RESOLVE_TIMEOUT";
  declare readonly code: "RESOLVE_TIMEOUT";
  /** The service that was being resolved. */
  readonly serviceName: string;
  /** How long `ready()` waited, in ms. */
  readonly timeoutMs: number;
  constructor(
    message: string,
    options?: SwitchyardErrorOptions & { serviceName?: string; timeoutMs?: number },
  ) {
    super(ResolveTimeoutError.CODE, message, options);
    this.name = "ResolveTimeoutError";
    this.serviceName = options?.serviceName ?? "";
    this.timeoutMs = options?.timeoutMs ?? Number.NaN;
  }
}

/** Rejects `Resolver.ready()` calls that are pending when the resolver closes, or made after. */
export class ResolverClosedError extends SwitchyardError {
  static override readonly CODE = "RESOLVER_CLOSED";
  declare readonly code: "RESOLVER_CLOSED";
  /** The service the closed resolver watched. */
  readonly serviceName: string;
  constructor(message: string, options?: SwitchyardErrorOptions & { serviceName?: string }) {
    super(ResolverClosedError.CODE, message, options);
    this.name = "ResolverClosedError";
    this.serviceName = options?.serviceName ?? "";
  }
}

/** The error a `ready()` that timed out rejects with; `problem` says what was seen last. */
export function resolveTimeoutError(
  settings: { readonly serviceName: string; readonly family: string },
  timeoutMs: number,
  problem: string,
  cause: unknown,
): ResolveTimeoutError {
  const { serviceName, family } = settings;
  return new ResolveTimeoutError(
    `resolver: no usable instance of "${serviceName}" within ${timeoutMs} ms (${problem}); check that the ` +
      `registry is reachable and that "${serviceName}" has instances registered with a ${family}:// or ` +
      `${family}s:// endpoint`,
    { serviceName, timeoutMs, cause },
  );
}

/** The error `ready()` rejects with once the resolver of `serviceName` is closed. */
export function resolverClosedError(serviceName: string): ResolverClosedError {
  return new ResolverClosedError(
    `resolver: the resolver of "${serviceName}" is closed; create a new one to resolve again`,
    { serviceName },
  );
}

/** Checks the options of `createResolver`, naming the bad one. */
export function checkResolverOptions(options: ResolverOptions): void {
  const fail = (message: string): never => {
    throw new InvalidArgumentError(`createResolver: ${message}`);
  };
  if (typeof options !== "object" || options === null) fail("expected an options object");
  if (typeof options.discovery?.watch !== "function") {
    fail("discovery must be a Discovery (an object with watch()), such as a registry client");
  }
  if (typeof options.serviceName !== "string" || options.serviceName === "") {
    fail(`serviceName must be a non-empty string, got ${String(options.serviceName)}`);
  }
  if (options.family !== "http" && options.family !== "grpc") {
    fail(`family must be "http" or "grpc", got ${String(options.family)}`);
  }
  const size = options.subsetSize;
  if (size !== undefined && (!Number.isInteger(size) || size < 0)) {
    fail(`subsetSize must be a non-negative integer (0 keeps every node), got ${String(size)}`);
  }
  if (options.subsetKey !== undefined && typeof options.subsetKey !== "string") {
    fail(`subsetKey must be a string, got ${typeof options.subsetKey}`);
  }
  if (typeof options.onUpdate !== "function") fail("onUpdate must be a function");
  if (options.onError !== undefined && typeof options.onError !== "function") {
    fail("onError must be a function");
  }
}
