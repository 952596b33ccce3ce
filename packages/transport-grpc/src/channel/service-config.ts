import { InvalidArgumentError } from "@switchyard/api";
import { POLICY_NAME } from "./names.js";

/** The channel option grpc-js reads the default service config from (a JSON string). */
export const SERVICE_CONFIG_OPTION = "grpc.service_config";

/** The load-balancing part of a service config that chooses the Switchyard policy. */
export const POLICY_CONFIG: readonly Readonly<Record<string, object>>[] = Object.freeze([
  Object.freeze({ [POLICY_NAME]: Object.freeze({}) }),
]);

function fail(message: string, cause?: unknown): never {
  throw new InvalidArgumentError(`transport-grpc: ${message}`, { cause });
}

/**
 * The parsed service config of channel options, or `undefined` when there is none.
 * @throws InvalidArgumentError when it is not a JSON object string.
 */
export function readServiceConfig(value: unknown): Record<string, unknown> | undefined {
  if (value === undefined) return undefined;
  const where = `channel option "${SERVICE_CONFIG_OPTION}"`;
  if (typeof value !== "string") fail(`${where} must be a JSON string, got ${typeof value}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (cause) {
    fail(`${where} is not valid JSON`, cause);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    fail(`${where} must be a JSON object`);
  }
  return parsed as Record<string, unknown>;
}

/**
 * A service config JSON that keeps what `user` says about methods and retry throttling and
 * chooses the Switchyard policy for load balancing.
 * @throws InvalidArgumentError as {@link readServiceConfig}.
 */
export function withPolicy(user: unknown): string {
  const {
    loadBalancingPolicy: _policy,
    loadBalancingConfig: _config,
    ...rest
  } = readServiceConfig(user) ?? {};
  return JSON.stringify({ ...rest, loadBalancingConfig: POLICY_CONFIG });
}
