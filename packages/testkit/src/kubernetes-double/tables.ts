// Server-side printing, as `kubectl get` asks for it (`Accept: application/json;as=Table;g=meta.k8s.io;v=v1`):
// the columns the API server prints for EndpointSlices and Pods, one row per object.
import type { KubeObject, KubernetesKind } from "./types.js";

interface Column {
  readonly name: string;
  readonly type: string;
  readonly format: string;
  readonly description: string;
  readonly priority: number;
}

const column = (name: string, description: string, priority = 0, type = "string", format = ""): Column => ({
  name,
  type,
  format,
  description,
  priority,
});

const COLUMNS: Readonly<Record<KubernetesKind, readonly Column[]>> = {
  EndpointSlice: [
    column("Name", "Name must be unique within a namespace.", 0, "string", "name"),
    column("AddressType", "addressType specifies the type of address carried by this EndpointSlice."),
    column("Ports", "ports specifies the list of network ports exposed by each endpoint in this slice."),
    column("Endpoints", "endpoints is a list of unique endpoints in this slice."),
    column(
      "Age",
      "CreationTimestamp is a timestamp representing the server time when this object was created.",
    ),
  ],
  Pod: [
    column("Name", "Name must be unique within a namespace.", 0, "string", "name"),
    column("Ready", "The aggregate readiness state of this pod for accepting traffic."),
    column("Status", "The aggregate status of the containers in this pod."),
    column("Restarts", "The number of times the containers in this pod have been restarted.", 0, "string"),
    column(
      "Age",
      "CreationTimestamp is a timestamp representing the server time when this object was created.",
    ),
    column("IP", "IP address allocated to the pod.", 1),
    column("Node", "Name of the Node this pod is running on.", 1),
    column("Nominated Node", "Name of the Node this pod is nominated to run on.", 1),
    column("Readiness Gates", "Readiness gates of this pod.", 1),
  ],
};

/** An age as kubectl prints it: 45s, 3m20s, 2h, 5d. */
export function humanAge(created: string | undefined, now: Date): string {
  if (created === undefined) return "<unknown>";
  const seconds = Math.max(0, Math.floor((now.getTime() - Date.parse(created)) / 1000));
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h`;
  return `${Math.floor(hours / 24)}d`;
}

function firstThree(values: readonly string[]): string {
  if (values.length === 0) return "<unset>";
  const shown = values.slice(0, 3).join(",");
  return values.length > 3 ? `${shown} + ${values.length - 3} more...` : shown;
}

type Any = Record<string, unknown>;
const records = (value: unknown): Any[] => (Array.isArray(value) ? (value as Any[]) : []);

function sliceCells(object: KubeObject): unknown[] {
  const ports = records(object.ports).map((p) => (p.port === undefined ? "<unset>" : String(p.port)));
  const addresses = records(object.endpoints).flatMap((e) => (Array.isArray(e.addresses) ? e.addresses : []));
  return [object.addressType ?? "", firstThree(ports), firstThree(addresses.map(String))];
}

function podCells(object: KubeObject): { middle: unknown[]; wide: unknown[] } {
  const spec = (object.spec ?? {}) as Any;
  const status = (object.status ?? {}) as Any;
  const containers = records(spec.containers);
  const statuses = records(status.containerStatuses);
  const ready = statuses.filter((s) => s.ready === true).length;
  const restarts = statuses.reduce(
    (sum, s) => sum + (typeof s.restartCount === "number" ? s.restartCount : 0),
    0,
  );
  let phase = typeof status.reason === "string" ? status.reason : String(status.phase ?? "Pending");
  if (object.metadata?.deletionTimestamp !== undefined) phase = "Terminating";
  const gates = records(spec.readinessGates);
  return {
    middle: [`${ready}/${containers.length}`, phase, restarts],
    wide: [
      status.podIP ?? "<none>",
      spec.nodeName ?? "<none>",
      status.nominatedNodeName ?? "<none>",
      gates.length === 0 ? "<none>" : `${gates.length}`,
    ],
  };
}

/** The cells of one row. */
function cells(kind: KubernetesKind, object: KubeObject, now: Date): unknown[] {
  const name = object.metadata?.name ?? "";
  const age = humanAge(object.metadata?.creationTimestamp, now);
  if (kind === "EndpointSlice") return [name, ...sliceCells(object), age];
  const { middle, wide } = podCells(object);
  return [name, ...middle, age, ...wide];
}

/** What a row carries besides its cells (`includeObject`: None, Metadata (default) or Object). */
function rowObject(object: KubeObject, include: string): unknown {
  if (include === "None") return undefined;
  if (include === "Object") return object;
  return { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: object.metadata };
}

/** A `Table` of `objects`, with `resourceVersion` (and `continue`) in its list metadata. */
export function toTable(
  kind: KubernetesKind,
  objects: readonly KubeObject[],
  meta: Readonly<Record<string, unknown>>,
  include: string,
  now: Date,
  version = "v1",
): KubeObject {
  return {
    kind: "Table",
    apiVersion: `meta.k8s.io/${version}`,
    metadata: meta,
    columnDefinitions: COLUMNS[kind],
    rows: objects.map((object) => {
      const carried = rowObject(object, include);
      return carried === undefined
        ? { cells: cells(kind, object, now) }
        : { cells: cells(kind, object, now), object: carried };
    }),
  };
}

/**
 * The Table version an Accept header asks for first (`v1` or `v1beta1` of meta.k8s.io), or
 * undefined when its first choice is a plain object.
 */
export function tableVersion(accept: string | undefined): string | undefined {
  const first = (accept ?? "").split(",")[0] ?? "";
  const params = new Map(
    first
      .split(";")
      .slice(1)
      .map((p) => p.trim().split("=") as [string, string]),
  );
  if (params.get("as") !== "Table") return undefined;
  return params.get("v") === "v1beta1" ? "v1beta1" : "v1";
}
