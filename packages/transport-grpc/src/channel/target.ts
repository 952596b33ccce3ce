import { InvalidArgumentError } from "@switchyard/api";
import { DISCOVERY_SCHEME } from "./names.js";

const PREFIX = `${DISCOVERY_SCHEME}:`;

/** Whether `target` names a service to discover (`discovery:///<service>`). */
export function isDiscoveryTarget(target: string): boolean {
  return target.startsWith(PREFIX);
}

/**
 * The service name in the path of a `discovery:` target, as grpc-js parses it: the part after
 * `discovery:///` (or after `discovery://<authority>/`, the authority being ignored), decoded.
 * @throws InvalidArgumentError when there is no service name or it contains "/".
 */
export function serviceNameOf(path: string, target: string): string {
  let name = path;
  try {
    name = decodeURIComponent(path);
  } catch {
    // Not valid percent-encoding: keep the path as written.
  }
  if (name === "" || name.includes("/")) {
    throw new InvalidArgumentError(
      `transport-grpc: target ${JSON.stringify(target)} names no service; use "discovery:///<service>"`,
    );
  }
  return name;
}

/**
 * The service name of a `discovery:` target string.
 * @throws InvalidArgumentError as {@link serviceNameOf}.
 */
export function parseDiscoveryTarget(target: string): string {
  const rest = target.slice(PREFIX.length);
  const path = rest.startsWith("//") ? rest.slice(rest.indexOf("/", 2) + 1 || rest.length) : rest;
  return serviceNameOf(path, target);
}
