import type { IncomingMessage } from "node:http";
import { HttpError } from "./reply.js";
import type { ConsulDoubleAcl, ConsulDoubleGrant } from "./types.js";

/** What a request's token may do. */
export type Grant = ConsulDoubleGrant | "none";

/** The token of a request, as Consul reads it: `?token=`, `X-Consul-Token`, then `Authorization: Bearer`. */
export function requestToken(req: IncomingMessage, query: URLSearchParams): string {
  const fromQuery = query.get("token");
  if (fromQuery) return fromQuery;
  const header = req.headers["x-consul-token"];
  if (typeof header === "string" && header !== "") return header;
  const auth = req.headers.authorization;
  if (typeof auth === "string" && auth.startsWith("Bearer ")) return auth.slice("Bearer ".length).trim();
  return "";
}

/**
 * Resolves a token to its grant. With ACLs disabled everything may write; an unknown token is
 * refused with 403 "ACL not found", as Consul does before looking at the request.
 */
export function resolveGrant(acl: ConsulDoubleAcl | undefined, token: string): Grant {
  if (acl === undefined) return "write";
  if (token === "" || token === "anonymous") return acl.anonymous ?? "none";
  const grant = Object.hasOwn(acl.tokens, token) ? acl.tokens[token] : undefined;
  if (grant === undefined) throw new HttpError(403, "ACL not found");
  return grant;
}

/** Throws Consul's 403 for a write the grant does not allow. */
export function requireWrite(grant: Grant, resource: string): void {
  if (grant === "write") return;
  throw new HttpError(
    403,
    `Permission denied: token with AccessorID '00000000-0000-0000-0000-000000000002' lacks permission 'service:write' on ${JSON.stringify(resource)}`,
  );
}
