import { InvalidArgumentError, type SelectContext } from "@switchyard/api";
import { callMetadata } from "./call-context.js";

/**
 * A key function for consistent hashing (`hash({ key: keyFromMetadata("x-user-id") })` of
 * `@switchyard/balancer-hash`): the first value of the call's metadata key `key` (binary `-bin`
 * values in base64), or `undefined` when the call has none (it is then balanced without a key).
 * Metadata keys are lower case in gRPC; `key` is lowered once here.
 * @throws InvalidArgumentError when `key` is not a non-empty string.
 */
export function keyFromMetadata(key: string): (context: SelectContext) => string | undefined {
  if (typeof key !== "string" || key === "") {
    throw new InvalidArgumentError(
      `transport-grpc: keyFromMetadata expects a metadata key such as "x-user-id", got ${typeof key === "string" ? JSON.stringify(key) : typeof key}`,
    );
  }
  const lower = key.toLowerCase();
  return (context) => callMetadata(context, lower);
}
