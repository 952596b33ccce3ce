import { RegistryError } from "@switchyard/api";
import type { ApiCall } from "./http.js";
import type { Settings } from "./settings.js";

/** Longest excerpt of a reply quoted in an error. */
const EXCERPT = 200;

/** The start of a body: cleaned of secrets first, then flattened and cut. */
export function excerpt(settings: Settings, text: string): string {
  const flat = settings.secrets.redact(text).trim().replace(/\s+/g, " ");
  return flat === "" ? "(empty body)" : flat.length > EXCERPT ? `${flat.slice(0, EXCERPT)}…` : flat;
}

function advice(settings: Settings, call: ApiCall, status: number): string {
  if (status === 401) {
    return `the API server refused the credentials from ${settings.access.source}; check the token or the kubeconfig user`;
  }
  if (status === 403) {
    return `grant get, list and watch on ${call.resource} in namespace "${settings.namespace}" with a Role and RoleBinding (see the README)`;
  }
  if (status === 404) {
    return "the API server does not serve it: EndpointSlices need Kubernetes 1.21 or later (discovery.k8s.io/v1)";
  }
  if (status === 429 || status >= 500) return "the API server is busy or failing; it is retried later";
  return "the request was refused as it is";
}

/**
 * A refusal of the API server as a RegistryError: the `Status` message it sent (or an excerpt of
 * the body), cleaned of secrets, and what to do. Retryable for 410, 429 and 5xx.
 */
export function statusError(settings: Settings, call: ApiCall, status: number, text: string): RegistryError {
  let said = excerpt(settings, text);
  try {
    const body = JSON.parse(text) as { kind?: unknown; message?: unknown };
    if (body.kind === "Status" && typeof body.message === "string") said = excerpt(settings, body.message);
  } catch {
    // Not a Status: the excerpt of the body stays.
  }
  const message = `kubernetes: ${call.what} failed (${status}: ${said}); ${advice(settings, call, status)}`;
  return new RegistryError(settings.secrets.redact(message), {
    status,
    retryable: status === 410 || status === 429 || status >= 500,
  });
}
