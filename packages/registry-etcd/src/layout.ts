import { InvalidArgumentError } from "@switchyard/api";

// Kratos's etcd registry writes each instance under `<namespace>/<service>/<instance id>`.
// A service is read as the prefix `<namespace>/<service>/`, with the trailing slash, so that
// "api" does not pick up the instances of "api-gateway".

/** The key range of one service: every key that starts with `prefix`. */
export interface ServiceRange {
  readonly prefix: string;
  readonly key: Buffer;
  /** The first key after the range (etcd's `range_end` for a prefix). */
  readonly end: Buffer;
}

/**
 * Checks a service name: a non-empty string without `/`, which would make the key layout
 * ambiguous.
 * @throws InvalidArgumentError when it is not.
 */
export function checkServiceName(value: unknown, where: string): string {
  if (typeof value !== "string" || value === "" || value.includes("/")) {
    throw new InvalidArgumentError(
      `${where}: the service name must be a non-empty string without "/", got ${typeof value === "string" ? JSON.stringify(value) : String(value)}`,
    );
  }
  return value;
}

/** The key of one instance. */
export function instanceKey(namespace: string, service: string, id: string): string {
  return `${namespace}/${service}/${id}`;
}

/** The smallest key greater than every key that starts with `prefix` (etcd's prefix range end). */
export function prefixEnd(prefix: Buffer): Buffer {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    const byte = end[i]!;
    if (byte < 0xff) {
      end[i] = byte + 1;
      return end.subarray(0, i + 1);
    }
  }
  return Buffer.from([0]); // all 0xff: to the end of the keyspace
}

/** The key range holding the instances of `service`. */
export function serviceRange(namespace: string, service: string): ServiceRange {
  const prefix = `${namespace}/${service}/`;
  const key = Buffer.from(prefix);
  return { prefix, key, end: prefixEnd(key) };
}
