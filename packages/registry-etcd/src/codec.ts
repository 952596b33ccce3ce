import type { ServiceInstance } from "@switchyard/api";
import { show, toInstance } from "./instance.js";

/**
 * The value stored for an instance: the JSON Kratos's etcd registry writes and reads,
 * `{"id","name","version","metadata","endpoints"}`.
 */
export function encodeInstance(instance: ServiceInstance): string {
  const { id, name, version, metadata, endpoints } = instance;
  return JSON.stringify({ id, name, version, metadata: { ...metadata }, endpoints });
}

/**
 * Reads the value stored under `<namespace>/<service>/<id>`: the instance, or the reason it is
 * skipped (not JSON, a field missing or of the wrong type, a name or id that disagrees with the
 * key). Go's `null` for a nil metadata map reads as `{}`.
 */
export function decodeInstance(value: Buffer, service: string, id: string): ServiceInstance | string {
  const text = value.toString("utf8");
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return `its value is not JSON: ${show(text)}`;
  }
  const instance = toInstance(parsed, "the value", "object-or-null");
  if (typeof instance === "string") return instance;
  if (instance.name !== service) {
    return `its name ${show(instance.name)} is not ${show(service)}, the service its key is under`;
  }
  if (instance.id !== id)
    return `its id ${show(instance.id)} differs from the one its key ends with, ${show(id)}`;
  return instance;
}
