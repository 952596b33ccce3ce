import { InvalidArgumentError, type SelectContext } from "@switchyard/api";
import { requestHeader } from "./headers.js";

/**
 * A key function for consistent hashing (`hash({ key: keyFromHeader("x-user-id") })` of
 * `@switchyard/balancer-hash`): the value of request header `name`, compared case-insensitively,
 * or `undefined` when the request has none (the call is then balanced without a key). A header sent
 * more than once gives its values joined with ", ". It reads the headers the client's requests
 * carry (`context.attributes.headers`), in whatever shape undici was given them.
 * @throws InvalidArgumentError when `name` is not a non-empty string.
 */
export function keyFromHeader(name: string): (context: SelectContext) => string | undefined {
  if (typeof name !== "string" || name === "") {
    throw new InvalidArgumentError(
      `transport-http: keyFromHeader expects a header name such as "x-user-id", got ${typeof name === "string" ? JSON.stringify(name) : typeof name}`,
    );
  }
  const lower = name.toLowerCase();
  return (context) => requestHeader(context, lower);
}
