import type { ServiceInstance } from "@switchyard/api";

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

function sameInstance(a: ServiceInstance, b: ServiceInstance): boolean {
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
 * Whether two lists hold the same instances (by id, with equal content) in any order: a re-read
 * after compaction, or a put that rewrites an unchanged value, gives an equal list, which is no
 * change to report.
 */
export function sameList(a: readonly ServiceInstance[], b: readonly ServiceInstance[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  const byId = new Map(a.map((instance) => [instance.id, instance]));
  for (const instance of b) {
    const other = byId.get(instance.id);
    if (other === undefined || !sameInstance(other, instance)) return false;
  }
  return true;
}
