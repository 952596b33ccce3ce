import type { ServiceInstance } from "./registry.js";

function sameStrings(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function sameMetadata(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const key of keys) if (!Object.hasOwn(b, key) || a[key] !== b[key]) return false;
  return true;
}

/** Whether two instances carry the same id, name, version, metadata and endpoints (in order). */
export function sameInstance(a: ServiceInstance, b: ServiceInstance): boolean {
  return (
    a === b ||
    (a.id === b.id &&
      a.name === b.name &&
      a.version === b.version &&
      sameStrings(a.endpoints, b.endpoints) &&
      sameMetadata(a.metadata, b.metadata))
  );
}

/**
 * Whether two instance lists of one service hold the same instances (by id, with equal content),
 * in any order. A watcher yields only real changes: a registry re-read that gives an equal list
 * (a blocking query that timed out, a re-read after compaction, a rewrite of an unchanged value) is
 * no change. Ids are unique within a list, so equal lengths plus a match for every id is enough.
 */
export function sameInstances(a: readonly ServiceInstance[], b: readonly ServiceInstance[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  let inOrder = true;
  for (let i = 0; i < a.length && inOrder; i++) inOrder = sameInstance(a[i]!, b[i]!);
  if (inOrder) return true;
  const byId = new Map(a.map((instance) => [instance.id, instance]));
  for (const instance of b) {
    const other = byId.get(instance.id);
    if (other === undefined || !sameInstance(other, instance)) return false;
  }
  return true;
}
