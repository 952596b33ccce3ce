import type { SelectorBuilder } from "./selector.js";
import { VERSION } from "./version.js";

// The global selector lives on globalThis under a registry symbol, with the version of the copy
// that wrote it stored beside it. Every copy of @switchyard/api in a process (two installed
// versions, or the ESM and CJS builds of one) reads the same slot, and a copy whose version is not
// compatible with the stored one is refused loudly instead of silently using its own slot.

const GLOBAL_KEY = Symbol.for("switchyard.api.global");

interface GlobalSlot {
  readonly version: string;
  readonly selector: SelectorBuilder | undefined;
}

interface ParsedVersion {
  readonly major: number;
  readonly minor: number;
  readonly prerelease: string;
}

function parseVersion(version: string): ParsedVersion | undefined {
  const match = /^(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+.*)?$/.exec(version);
  if (match === null) return undefined;
  return { major: Number(match[1]), minor: Number(match[2]), prerelease: match[4] ?? "" };
}

/**
 * Whether a slot written by `other` can be shared with a copy at `own`: same major version (same
 * minor too while the major is 0, as semver treats 0.x minors as breaking); prereleases only with
 * the identical version.
 */
export function isCompatibleVersion(own: string, other: string): boolean {
  if (own === other) return true;
  const a = parseVersion(own);
  const b = parseVersion(other);
  if (a === undefined || b === undefined) return false;
  if (a.prerelease !== "" || b.prerelease !== "") return false;
  if (a.major !== b.major) return false;
  return a.major !== 0 || a.minor === b.minor;
}

function report(message: string): void {
  const proc = (globalThis as { process?: { emitWarning?: (m: string, o: object) => void } }).process;
  if (proc?.emitWarning !== undefined) proc.emitWarning(message, { code: "SWITCHYARD_API_VERSION" });
  else console.warn(message);
}

function readSlot(): GlobalSlot | undefined {
  const slot = (globalThis as Record<symbol, unknown>)[GLOBAL_KEY];
  if (typeof slot !== "object" || slot === null) return undefined;
  const version = (slot as { version?: unknown }).version;
  return typeof version === "string" ? (slot as GlobalSlot) : undefined;
}

/** Makes the two accessors for one copy of the package; exported for tests that load two copies. */
export function createGlobalAccessors(ownVersion: string): {
  setGlobalSelector(builder: SelectorBuilder | undefined): boolean;
  getGlobalSelector(): SelectorBuilder | undefined;
} {
  let warnedOnRead = false;
  return {
    setGlobalSelector(builder) {
      const slot = readSlot();
      if (slot !== undefined && !isCompatibleVersion(ownVersion, slot.version)) {
        report(
          `@switchyard/api: setGlobalSelector refused: the global slot belongs to @switchyard/api ${slot.version} ` +
            `and this copy is ${ownVersion}. Install one compatible version (check \`npm ls @switchyard/api\`).`,
        );
        return false;
      }
      const next: GlobalSlot = Object.freeze({ version: ownVersion, selector: builder });
      Object.defineProperty(globalThis, GLOBAL_KEY, {
        value: next,
        writable: true,
        configurable: true,
        enumerable: false,
      });
      return true;
    },
    getGlobalSelector() {
      const slot = readSlot();
      if (slot === undefined) return undefined;
      if (!isCompatibleVersion(ownVersion, slot.version)) {
        if (!warnedOnRead) {
          warnedOnRead = true;
          report(
            `@switchyard/api: ignoring the global selector set by @switchyard/api ${slot.version}; this copy is ` +
              `${ownVersion}. Transports fall back to their default balancer.`,
          );
        }
        return undefined;
      }
      return slot.selector;
    },
  };
}

const accessors = /* @__PURE__ */ createGlobalAccessors(VERSION);

/**
 * Sets the selector builder transports use when the caller gives none; `undefined` clears it.
 * Returns `false` (and emits a process warning) when another, incompatible copy of
 * `@switchyard/api` owns the global slot; the slot is then left as it was.
 */
export function setGlobalSelector(builder: SelectorBuilder | undefined): boolean {
  return accessors.setGlobalSelector(builder);
}

/**
 * The selector builder set with {@link setGlobalSelector}, or `undefined` when none is set or it
 * was set by an incompatible copy of this package. Never throws.
 */
export function getGlobalSelector(): SelectorBuilder | undefined {
  return accessors.getGlobalSelector();
}
