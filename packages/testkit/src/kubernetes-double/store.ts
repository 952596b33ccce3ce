import { randomUUID } from "node:crypto";
import type { KubeObject, KubernetesKind } from "./types.js";

/** One change, as a watch reports it. `previous` is the object before it (for undoing and selectors). */
export interface StoreEvent {
  readonly type: "ADDED" | "MODIFIED" | "DELETED";
  readonly resourceVersion: number;
  readonly kind: KubernetesKind;
  readonly namespace: string;
  readonly object: KubeObject;
  readonly previous: KubeObject | undefined;
}

/** Why a write was refused, as the API server says it. */
export class StoreConflict extends Error {
  readonly reason: "AlreadyExists" | "Conflict" | "NotFound";

  constructor(reason: "AlreadyExists" | "Conflict" | "NotFound", message: string) {
    super(message);
    this.reason = reason;
  }
}

const keyOf = (kind: string, namespace: string, name: string): string =>
  `${kind}\u0000${namespace}\u0000${name}`;

/**
 * Objects with etcd's multi-version rules, as the API server exposes them: every write takes the
 * next resourceVersion (one counter for all kinds), the history of changes is kept until
 * `compact()`, and the state at any resourceVersion since the last compaction can be rebuilt (for
 * continue tokens). Listeners hear every change as it is made.
 */
export class ObjectStore {
  private readonly objects = new Map<string, KubeObject>();
  private readonly history: StoreEvent[] = [];
  private readonly listeners = new Set<(event: StoreEvent) => void>();
  private readonly now: () => Date;
  private revision = 1;
  private compactedAt = 1;

  constructor(now: () => Date) {
    this.now = now;
  }

  /** The newest resourceVersion. */
  get resourceVersion(): number {
    return this.revision;
  }

  /** The oldest resourceVersion a watch or a continue token may still start from. */
  get oldest(): number {
    return this.compactedAt;
  }

  subscribe(listener: (event: StoreEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get(kind: KubernetesKind, namespace: string, name: string): KubeObject | undefined {
    return this.objects.get(keyOf(kind, namespace, name));
  }

  /** The objects of `kind` (in `namespace`, or all), sorted by namespace and name, as of now. */
  list(kind: KubernetesKind, namespace: string | undefined): KubeObject[] {
    return sorted(this.objects, kind, namespace);
  }

  /**
   * The objects as they were at `resourceVersion` (at least {@link oldest}).
   * @throws RangeError for a resourceVersion that was compacted away or is in the future.
   */
  listAt(kind: KubernetesKind, namespace: string | undefined, resourceVersion: number): KubeObject[] {
    if (resourceVersion < this.compactedAt || resourceVersion > this.revision) {
      throw new RangeError(`resourceVersion ${resourceVersion} is not available`);
    }
    const state = new Map(this.objects);
    for (let i = this.history.length - 1; i >= 0; i--) {
      const event = this.history[i]!;
      if (event.resourceVersion <= resourceVersion) break;
      const key = keyOf(event.kind, event.namespace, event.object.metadata?.name ?? "");
      if (event.previous === undefined) state.delete(key);
      else state.set(key, event.previous);
    }
    return sorted(state, kind, namespace);
  }

  /** The changes after `resourceVersion`, oldest first (`resourceVersion` at least {@link oldest}). */
  since(resourceVersion: number): StoreEvent[] {
    return this.history.filter((event) => event.resourceVersion > resourceVersion);
  }

  /**
   * Creates `object`, or replaces it when `replace` is set (`metadata.resourceVersion`, when given,
   * must be the current one). Fills in uid, creationTimestamp and the new resourceVersion.
   * @throws StoreConflict when it exists (create), is missing (replace) or is stale.
   */
  write(kind: KubernetesKind, namespace: string, object: KubeObject, replace: boolean): KubeObject {
    const name = object.metadata?.name ?? "";
    const key = keyOf(kind, namespace, name);
    const previous = this.objects.get(key);
    const resource = kind === "Pod" ? "pods" : "endpointslices.discovery.k8s.io";
    if (previous !== undefined && !replace) {
      throw new StoreConflict("AlreadyExists", `${resource} "${name}" already exists`);
    }
    if (previous === undefined && replace)
      throw new StoreConflict("NotFound", `${resource} "${name}" not found`);
    const given = object.metadata?.resourceVersion;
    if (
      previous !== undefined &&
      given !== undefined &&
      given !== "" &&
      given !== previous.metadata?.resourceVersion
    ) {
      throw new StoreConflict(
        "Conflict",
        `Operation cannot be fulfilled on ${resource} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
      );
    }
    this.revision += 1;
    const stored: KubeObject = {
      ...object,
      apiVersion: kind === "Pod" ? "v1" : "discovery.k8s.io/v1",
      kind,
      metadata: {
        ...object.metadata,
        name,
        namespace,
        uid: previous?.metadata?.uid ?? randomUUID(),
        resourceVersion: String(this.revision),
        creationTimestamp:
          previous?.metadata?.creationTimestamp ??
          this.now()
            .toISOString()
            .replace(/\.\d+Z$/, "Z"),
      },
    };
    this.objects.set(key, stored);
    this.record({
      type: previous === undefined ? "ADDED" : "MODIFIED",
      kind,
      namespace,
      object: stored,
      previous,
    });
    return stored;
  }

  /** Deletes an object; returns it as deleted (with the deletion's resourceVersion), or undefined. */
  delete(kind: KubernetesKind, namespace: string, name: string): KubeObject | undefined {
    const key = keyOf(kind, namespace, name);
    const previous = this.objects.get(key);
    if (previous === undefined) return undefined;
    this.objects.delete(key);
    this.revision += 1;
    const object = {
      ...previous,
      metadata: { ...previous.metadata, resourceVersion: String(this.revision) },
    };
    this.record({ type: "DELETED", kind, namespace, object, previous });
    return object;
  }

  /** Forgets the history up to now: older resourceVersions get 410 Gone from then on. */
  compact(): void {
    this.compactedAt = this.revision;
    this.history.length = 0;
  }

  private record(fields: Omit<StoreEvent, "resourceVersion">): void {
    const event: StoreEvent = { ...fields, resourceVersion: this.revision };
    this.history.push(event);
    for (const listener of [...this.listeners]) listener(event);
  }
}

function sorted(objects: Map<string, KubeObject>, kind: string, namespace: string | undefined): KubeObject[] {
  const prefix = namespace === undefined ? `${kind}\u0000` : `${kind}\u0000${namespace}\u0000`;
  return [...objects.entries()]
    .filter(([key]) => key.startsWith(prefix))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, object]) => object);
}
