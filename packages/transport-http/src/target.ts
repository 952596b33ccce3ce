import { InvalidArgumentError, type Node } from "@switchyard/api";
import { createNode } from "@switchyard/selector-core";

/** What a client's `endpoint` resolves to. */
export type Target =
  | { readonly kind: "discovery"; readonly serviceName: string }
  | { readonly kind: "direct"; readonly node: Node; readonly origin: string };

/**
 * Parses a client endpoint: `discovery:///name` (instances from a `Discovery`), or a plain
 * `http://host:port` / `https://host:port` (one fixed node, no discovery).
 * @throws InvalidArgumentError for anything else.
 */
export function parseTarget(endpoint: string): Target {
  if (typeof endpoint !== "string" || endpoint === "") {
    throw new InvalidArgumentError(
      `transport-http: endpoint must be "discovery:///<service>" or "http(s)://host:port", got ${String(endpoint)}`,
    );
  }
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch (cause) {
    throw new InvalidArgumentError(`transport-http: endpoint ${JSON.stringify(endpoint)} is not a URL`, {
      cause,
    });
  }
  if (url.protocol === "discovery:") {
    const serviceName = decodeURIComponent(url.pathname.replace(/^\/+/, ""));
    if (serviceName === "" || serviceName.includes("/")) {
      throw new InvalidArgumentError(
        `transport-http: endpoint ${JSON.stringify(endpoint)} names no service; use "discovery:///<service>"`,
      );
    }
    return { kind: "discovery", serviceName };
  }
  if (url.protocol === "http:" || url.protocol === "https:") {
    if (url.pathname !== "/" || url.search !== "" || url.hash !== "") {
      throw new InvalidArgumentError(
        `transport-http: endpoint ${JSON.stringify(endpoint)} must be an origin only (scheme, host, port); ` +
          "pass paths per request",
      );
    }
    const scheme = url.protocol.slice(0, -1);
    const node = createNode({
      scheme,
      address: url.host || `${url.hostname}:${scheme === "https" ? 443 : 80}`,
    });
    return { kind: "direct", node, origin: url.origin };
  }
  throw new InvalidArgumentError(
    `transport-http: unsupported endpoint scheme ${JSON.stringify(url.protocol)}; use discovery:///<service> or http(s)://host:port`,
  );
}
