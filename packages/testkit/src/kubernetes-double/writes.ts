import { randomBytes } from "node:crypto";
import type { DoubleContext, ResourceCall } from "./context.js";
import { StatusError, sendJson } from "./status.js";
import { StoreConflict } from "./store.js";
import type { KubeObject, KubernetesKind } from "./types.js";

const ADDRESS_TYPES = ["IPv4", "IPv6", "FQDN"];

function parseBody(call: ResourceCall): KubeObject {
  let body: unknown;
  try {
    body = JSON.parse(call.body);
  } catch {
    throw new StatusError(400, "BadRequest", "the body of the request was in an unknown format");
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new StatusError(400, "BadRequest", "the body of the request was in an unknown format");
  }
  const object = body as KubeObject;
  const { kind } = call.request;
  if (object.kind !== undefined && object.kind !== kind) {
    throw new StatusError(
      400,
      "BadRequest",
      `the API version in the data does not match the expected API version (kind ${String(object.kind)}, want ${kind})`,
    );
  }
  return object;
}

function invalid(kind: KubernetesKind, name: string, field: string, problem: string): StatusError {
  const resource = kind === "Pod" ? "Pod" : "EndpointSlice.discovery.k8s.io";
  return new StatusError(422, "Invalid", `${resource} "${name}" is invalid: ${field}: ${problem}`);
}

/** The checks of the API server's validation the double keeps: a name, and an EndpointSlice's shape. */
function validate(kind: KubernetesKind, object: KubeObject): void {
  const name = object.metadata?.name ?? "";
  if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(name) || name.length > 253) {
    throw invalid(
      kind,
      name,
      "metadata.name",
      name === ""
        ? "Required value: name or generateName is required"
        : `Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.'`,
    );
  }
  if (kind === "EndpointSlice") {
    if (!ADDRESS_TYPES.includes(String(object.addressType))) {
      throw invalid(
        kind,
        name,
        "addressType",
        `Unsupported value: ${JSON.stringify(object.addressType)}: supported values: "FQDN", "IPv4", "IPv6"`,
      );
    }
    if (object.endpoints !== undefined && object.endpoints !== null && !Array.isArray(object.endpoints)) {
      throw invalid(kind, name, "endpoints", "Invalid value: must be a list");
    }
  }
}

function withName(object: KubeObject): KubeObject {
  const meta = object.metadata ?? {};
  if (meta.name !== undefined && meta.name !== "") return object;
  const prefix = typeof meta.generateName === "string" ? meta.generateName : "";
  if (prefix === "") return object;
  return { ...object, metadata: { ...meta, name: `${prefix}${randomBytes(3).toString("hex").slice(0, 5)}` } };
}

function conflict(error: unknown, call: ResourceCall): never {
  if (!(error instanceof StoreConflict)) throw error;
  const code = error.reason === "NotFound" ? 404 : 409;
  throw new StatusError(code, error.reason, error.message, { kind: call.request.resource });
}

/** POST, PUT (the object or a pod's `status`) and DELETE, with the API server's conflicts. */
export function write(ctx: DoubleContext, call: ResourceCall): void {
  const { request, res } = call;
  const namespace = request.namespace;
  if (namespace === undefined)
    throw new StatusError(
      405,
      "MethodNotAllowed",
      "the server does not allow this method on the requested resource",
    );
  const { store } = ctx;
  if (request.verb === "delete") {
    const deleted = store.delete(request.kind, namespace, request.name ?? "");
    if (deleted === undefined) {
      const qualified = request.group === "" ? request.resource : `${request.resource}.${request.group}`;
      throw new StatusError(404, "NotFound", `${qualified} "${request.name}" not found`, {
        name: request.name,
        kind: request.resource,
      });
    }
    sendJson(res, 200, deleted);
    return;
  }
  const given = withName(parseBody(call));
  if (given.metadata?.namespace !== undefined && given.metadata.namespace !== namespace) {
    throw new StatusError(
      400,
      "BadRequest",
      "the namespace of the provided object does not match the namespace sent on the request",
    );
  }
  if (request.verb === "update" && given.metadata?.name !== request.name) {
    throw new StatusError(400, "BadRequest", "the name of the object does not match the name on the URL");
  }
  validate(request.kind, given);
  const current =
    request.verb === "update" ? store.get(request.kind, namespace, request.name ?? "") : undefined;
  let object = given;
  if (request.kind === "Pod") {
    // The pod's status is written only through its status subresource, and only the status is.
    if (request.subresource === "status")
      object = {
        ...(current ?? given),
        metadata: { ...current?.metadata, resourceVersion: given.metadata?.resourceVersion },
        status: given.status,
      };
    else object = { ...given, status: current?.status ?? { phase: "Pending", qosClass: "BestEffort" } };
  }
  try {
    const stored = store.write(request.kind, namespace, object, request.verb === "update");
    sendJson(res, request.verb === "create" ? 201 : 200, stored);
  } catch (error) {
    conflict(error, call);
  }
}
