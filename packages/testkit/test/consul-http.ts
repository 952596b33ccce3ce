// Plain HTTP calls to the Consul double, for the tests that check its answers field by field.

/** An answer of the double, read whole. */
export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  json<T = unknown>(): T;
}

/** What {@link request} sends besides the path: a body makes it a PUT unless `method` says otherwise. */
export interface CallInit {
  readonly method?: string;
  readonly body?: unknown;
  readonly token?: string;
  readonly headers?: Record<string, string>;
}

/** Sends one request to the double at `base` and reads the whole answer. */
export async function request(base: string, path: string, init: CallInit = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.token !== undefined) headers["X-Consul-Token"] = init.token;
  const body = init.body;
  const response = await fetch(`${base}${path}`, {
    method: init.method ?? (body === undefined ? "GET" : "PUT"),
    headers,
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: <T>() => JSON.parse(text) as T };
}

/** A registration as Kratos's Consul registry sends it, for instance `id` of "api" on 10.0.0.5. */
export const kratosBody = (id: string, extra: Record<string, unknown> = {}) => ({
  ID: id,
  Name: "api",
  Tags: ["version=1.0.0"],
  Meta: { zone: "a" },
  Address: "10.0.0.5",
  Port: 8000,
  TaggedAddresses: { http: { Address: "http://10.0.0.5:8000", Port: 8000 } },
  Checks: [{ CheckID: `service:${id}`, TTL: "30s", DeregisterCriticalServiceAfter: "1m" }],
  ...extra,
});
