import { HttpError } from "./reply.js";

const META_KEY = /^[a-zA-Z0-9_-]+$/;

/** Consul's `ValidateServiceMetadata` for a typical service, with its messages. */
export function validateMeta(meta: Readonly<Record<string, string>>): void {
  const entries = Object.entries(meta);
  const fail = (why: string): never => {
    throw new HttpError(400, `Invalid Service Meta: ${why}`);
  };
  if (entries.length > 64) fail("Node metadata cannot contain more than 64 key/value pairs");
  for (const [key, value] of entries) {
    const pair = (why: string): never => fail(`Couldn't load metadata pair ('${key}', '${value}'): ${why}`);
    if (key === "") pair("Key cannot be blank");
    if (!META_KEY.test(key)) pair("Key contains invalid characters");
    if (key.length > 128) pair("Key is too long (limit: 128 characters)");
    if (key.startsWith("consul-")) pair("Key prefix 'consul-' is reserved for internal use");
    if (value.length > 512) pair("Value is too long (limit: 512 characters)");
  }
}
