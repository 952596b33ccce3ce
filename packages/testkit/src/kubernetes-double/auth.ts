import type { IncomingMessage } from "node:http";
import type { TLSSocket } from "node:tls";
import type { ResourceRequest } from "./resources.js";
import { StatusError } from "./status.js";
import type { KubernetesDoubleRule, KubernetesDoubleUser } from "./types.js";

/** The user of the double's client certificate. */
export const CERTIFICATE_USER = "switchyard-client";

const ALL: readonly KubernetesDoubleRule[] = [{ verbs: ["*"], resources: ["*"] }];

/**
 * Who sent the request: the user of its bearer token, or of its client certificate.
 * @throws StatusError 401 when users are configured and the request names none of them.
 */
export function authenticate(
  req: IncomingMessage,
  users: readonly KubernetesDoubleUser[] | undefined,
): KubernetesDoubleUser | undefined {
  if (users === undefined) return undefined;
  const header = req.headers.authorization;
  const bearer = header !== undefined && /^bearer /i.test(header) ? header.slice(7).trim() : undefined;
  if (bearer !== undefined && bearer !== "") {
    const user = users.find((u) => u.token !== undefined && u.token === bearer);
    if (user !== undefined) return user;
  } else {
    const socket = req.socket as Partial<TLSSocket>;
    if (socket.authorized === true && typeof socket.getPeerCertificate === "function") {
      const subject = socket.getPeerCertificate().subject as { CN?: string } | undefined;
      const user = users.find((u) => u.name === subject?.CN);
      if (user !== undefined) return user;
    }
  }
  throw new StatusError(401, "Unauthorized", "Unauthorized");
}

function allows(rule: KubernetesDoubleRule, request: ResourceRequest): boolean {
  const resource = request.subresource === undefined ? request.resource : `${request.resource}/status`;
  const verbOk = rule.verbs.includes("*") || rule.verbs.includes(request.verb);
  const resourceOk = rule.resources.includes("*") || rule.resources.includes(resource);
  const namespaceOk =
    rule.namespaces === undefined ||
    (request.namespace !== undefined && rule.namespaces.includes(request.namespace));
  return verbOk && resourceOk && namespaceOk;
}

/**
 * Checks RBAC as the API server words its refusals.
 * @throws StatusError 403 Forbidden when no rule of `user` allows the request.
 */
export function authorize(user: KubernetesDoubleUser | undefined, request: ResourceRequest): void {
  if (user === undefined) return;
  if ((user.rules ?? ALL).some((rule) => allows(rule, request))) return;
  const qualified = request.group === "" ? request.resource : `${request.resource}.${request.group}`;
  const object = request.name === undefined ? qualified : `${qualified} "${request.name}"`;
  const resource =
    request.subresource === undefined ? request.resource : `${request.resource}/${request.subresource}`;
  const where =
    request.namespace === undefined ? "at the cluster scope" : `in the namespace "${request.namespace}"`;
  throw new StatusError(
    403,
    "Forbidden",
    `${object} is forbidden: User "${user.name}" cannot ${request.verb} resource "${resource}" in API group "${request.group}" ${where}`,
    {
      ...(request.name === undefined ? {} : { name: request.name }),
      ...(request.group === "" ? {} : { group: request.group }),
      kind: request.resource,
    },
  );
}
