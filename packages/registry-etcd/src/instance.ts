import type { ServiceInstance } from "@switchyard/api";

/** What a value looks like, for messages (never the value itself when it is not a string). */
export function show(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (Array.isArray(value)) return "an array";
  if (value === null) return "null";
  return typeof value === "object" ? "an object" : String(value);
}

/** How strict {@link toInstance} is about metadata. */
export type MetadataRule =
  /** An object of strings, as `register` requires. */
  | "object"
  /** Also `null` or absent, read as `{}`: what Go's encoding/json writes for a nil map. */
  | "object-or-null";

function toMetadata(
  value: unknown,
  path: string,
  rule: MetadataRule,
): Readonly<Record<string, string>> | string {
  const metadata = Object.create(null) as Record<string, string>;
  if (rule === "object-or-null" && (value === null || value === undefined)) return Object.freeze(metadata);
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return `${path}.metadata must be an object of strings (use {} for none), got ${show(value)}`;
  }
  for (const key of Object.keys(value)) {
    const entry = (value as Record<string, unknown>)[key];
    if (typeof entry !== "string")
      return `${path}.metadata[${JSON.stringify(key)}] must be a string, got ${show(entry)}`;
    // defineProperty, not assignment, so a "__proto__" key is stored as plain data.
    Object.defineProperty(metadata, key, { value: entry, enumerable: true });
  }
  return Object.freeze(metadata);
}

function endpointProblem(value: unknown, path: string): string | undefined {
  if (typeof value !== "string") return `${path} must be a URL string, got ${show(value)}`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `${path} ${show(value)} is not a URL; write it as scheme://host:port`;
  }
  return url.hostname === ""
    ? `${path} ${show(value)} has no host; write it as scheme://host:port`
    : undefined;
}

/**
 * Checks that `value` is a service instance and returns a frozen copy (frozen endpoints, frozen
 * null-prototype metadata), or, when it is not one, the reason why, naming the field under `path`.
 * Rules: `id` and `name` are non-empty strings, `version` a string, `metadata` as `rule` says,
 * `endpoints` a non-empty array of URLs with a scheme and a host.
 */
export function toInstance(value: unknown, path: string, rule: MetadataRule): ServiceInstance | string {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return `${path} must be an object, got ${show(value)}`;
  }
  const source = value as Partial<Record<keyof ServiceInstance, unknown>>;
  const { id, name, version, endpoints } = source;
  if (typeof id !== "string" || id === "") {
    return `${path}.id must be a non-empty string, got ${show(id)}; give each instance a unique id`;
  }
  if (typeof name !== "string" || name === "") {
    return `${path}.name must be a non-empty string (the service name), got ${show(name)}`;
  }
  if (typeof version !== "string")
    return `${path}.version must be a string (use "" for none), got ${show(version)}`;
  const metadata = toMetadata(source.metadata, path, rule);
  if (typeof metadata === "string") return metadata;
  if (!Array.isArray(endpoints) || endpoints.length === 0) {
    return `${path}.endpoints must be a non-empty array of URLs, got ${show(endpoints)}`;
  }
  for (let i = 0; i < endpoints.length; i++) {
    const problem = endpointProblem(endpoints[i], `${path}.endpoints[${i}]`);
    if (problem !== undefined) return problem;
  }
  return Object.freeze({
    id,
    name,
    version,
    metadata,
    endpoints: Object.freeze([...(endpoints as string[])]),
  });
}
