import { InvalidArgumentError, type ServiceInstance } from "@switchyard/api";

function show(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) return "an array";
  if (value === null) return "null";
  return typeof value === "object" ? "an object" : String(value);
}

function fail(where: string, message: string): never {
  throw new InvalidArgumentError(`${where}: ${message}`);
}

/**
 * Checks a service name.
 * @throws InvalidArgumentError when it is not a non-empty string.
 */
export function checkServiceName(value: unknown, where: string): string {
  if (typeof value !== "string" || value === "") {
    fail(where, `the service name must be a non-empty string, got ${show(value)}`);
  }
  return value;
}

/**
 * Checks the `name` and `id` that identify an instance (all `deregister` needs).
 * @throws InvalidArgumentError when either is not a non-empty string.
 */
export function checkKey(value: unknown, where: string, path: string): { name: string; id: string } {
  if (typeof value !== "object" || value === null)
    fail(where, `${path} must be an object, got ${show(value)}`);
  const { id, name } = value as { id?: unknown; name?: unknown };
  if (typeof id !== "string" || id === "") {
    fail(where, `${path}.id must be a non-empty string, got ${show(id)}; give each instance a unique id`);
  }
  if (typeof name !== "string" || name === "") {
    fail(where, `${path}.name must be a non-empty string (the service name), got ${show(name)}`);
  }
  return { id, name };
}

function checkMetadata(value: unknown, where: string, path: string): Readonly<Record<string, string>> {
  const metadata = Object.create(null) as Record<string, string>;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    fail(where, `${path}.metadata must be an object of strings (use {} for none), got ${show(value)}`);
  }
  for (const key of Object.keys(value)) {
    const entry = (value as Record<string, unknown>)[key];
    if (typeof entry !== "string") {
      fail(where, `${path}.metadata[${JSON.stringify(key)}] must be a string, got ${show(entry)}`);
    }
    // defineProperty, not assignment, so a "__proto__" key is stored as plain data.
    Object.defineProperty(metadata, key, { value: entry, enumerable: true });
  }
  return Object.freeze(metadata);
}

function checkEndpoint(value: unknown, where: string, path: string): string {
  if (typeof value !== "string") fail(where, `${path} must be a URL string, got ${show(value)}`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    fail(where, `${path} ${show(value)} is not a URL; write it as scheme://host:port`);
  }
  if (url.hostname === "") fail(where, `${path} ${show(value)} has no host; write it as scheme://host:port`);
  return value;
}

/**
 * Validates an instance and returns a frozen copy the caller cannot change afterwards: frozen
 * endpoints, frozen null-prototype metadata. `where` starts the error message (the component and
 * call), `path` names the value in it.
 * @throws InvalidArgumentError when id or name is not a non-empty string, version is not a string,
 * metadata is not an object of strings, or endpoints is not a non-empty array of URLs with a
 * scheme and a host.
 */
export function toInstance(value: unknown, where: string, path = "instance"): ServiceInstance {
  const { id, name } = checkKey(value, where, path);
  const source = value as Partial<Record<keyof ServiceInstance, unknown>>;
  const version = source.version;
  if (typeof version !== "string") {
    fail(where, `${path}.version must be a string (use "" for none), got ${show(version)}`);
  }
  const metadata = checkMetadata(source.metadata, where, path);
  const endpoints = source.endpoints;
  if (!Array.isArray(endpoints) || endpoints.length === 0) {
    fail(where, `${path}.endpoints must be a non-empty array of URLs, got ${show(endpoints)}`);
  }
  const copy = endpoints.map((endpoint, i) => checkEndpoint(endpoint, where, `${path}.endpoints[${i}]`));
  return Object.freeze({ id, name, version, metadata, endpoints: Object.freeze(copy) });
}
