import { afterEach, describe, expect, it } from "vitest";
import { createFakeClock, type FakeClock } from "../src/fake-clock.js";
import {
  type KubernetesDouble,
  type KubernetesDoubleOptions,
  type KubernetesDoubleUser,
  startKubernetesDouble,
} from "../src/kubernetes.js";
import { call, slice, watchStream } from "./kube-http.js";

let double: KubernetesDouble;
let clock: FakeClock;

afterEach(async () => {
  await double?.close();
});

async function start(options: KubernetesDoubleOptions = {}): Promise<KubernetesDouble> {
  clock = createFakeClock();
  double = await startKubernetesDouble({ clock, ...options });
  return double;
}

const SLICES = "/apis/discovery.k8s.io/v1/namespaces/default/endpointslices";
const PODS = "/api/v1/namespaces/default/pods";
const names = (items: unknown): string[] =>
  (items as Array<{ metadata: { name: string } }>).map((item) => item.metadata.name);

describe("kubernetes double: lists", () => {
  it("lists by label selector with the list's resourceVersion, items without kind or apiVersion", async () => {
    await start();
    double.apply(slice("api-a", "api", ["10.0.0.1"]));
    double.apply(slice("web-a", "web", ["10.0.0.2"]));
    const answer = await call(double, `${SLICES}?labelSelector=kubernetes.io%2Fservice-name%3Dapi`);
    expect(answer.status).toBe(200);
    const body = answer.json<{
      kind: string;
      metadata: { resourceVersion: string };
      items: Record<string, unknown>[];
    }>();
    expect(body.kind).toBe("EndpointSliceList");
    expect(body.metadata.resourceVersion).toBe(double.resourceVersion());
    expect(names(body.items)).toEqual(["api-a"]);
    expect(body.items[0]).not.toHaveProperty("kind");
    expect(body.items[0]).not.toHaveProperty("apiVersion");
  });

  it("matches set-based and negated selectors as the API server does", async () => {
    await start();
    for (const [name, tier] of [
      ["a", "front"],
      ["b", "back"],
      ["c", undefined],
    ] as const) {
      double.apply({
        kind: "Pod",
        metadata: { name, labels: tier === undefined ? { app: "x" } : { app: "x", tier } },
      });
    }
    const list = async (selector: string) =>
      names((await call(double, `${PODS}?labelSelector=${encodeURIComponent(selector)}`)).json().items);
    expect(await list("tier in (front,back)")).toEqual(["a", "b"]);
    expect(await list("tier notin (front)")).toEqual(["b", "c"]);
    expect(await list("app=x,!tier")).toEqual(["c"]);
    expect(await list("tier!=back")).toEqual(["a", "c"]);
    const bad = await call(double, `${PODS}?labelSelector=${encodeURIComponent("a b c")}`);
    expect(bad.status).toBe(400);
    expect(bad.json()).toMatchObject({ kind: "Status", reason: "BadRequest", code: 400 });
  });

  it("pages with limit and continue over the snapshot of the first page, with remainingItemCount", async () => {
    await start();
    for (const n of [1, 2, 3, 4, 5]) double.apply(slice(`api-${n}`, "api", [`10.0.0.${n}`]));
    const first = (await call(double, `${SLICES}?limit=2`)).json<{
      metadata: { continue: string; resourceVersion: string; remainingItemCount: number };
      items: unknown;
    }>();
    expect(names(first.items)).toEqual(["api-1", "api-2"]);
    expect(first.metadata.remainingItemCount).toBe(3);
    double.remove("EndpointSlice", "api-3");
    double.apply(slice("api-6", "api", ["10.0.0.6"]));
    const second = (await call(double, `${SLICES}?limit=2&continue=${first.metadata.continue}`)).json<{
      metadata: { continue: string; resourceVersion: string };
      items: unknown;
    }>();
    expect(names(second.items)).toEqual(["api-3", "api-4"]);
    expect(second.metadata.resourceVersion).toBe(first.metadata.resourceVersion);
    const third = (await call(double, `${SLICES}?limit=2&continue=${second.metadata.continue}`)).json<{
      metadata: { continue?: string };
      items: unknown;
    }>();
    expect(names(third.items)).toEqual(["api-5"]);
    expect(third.metadata.continue).toBeUndefined();
  });

  it("answers 410 Expired to a continue token older than the last compaction", async () => {
    await start();
    for (const n of [1, 2, 3]) double.apply(slice(`api-${n}`, "api", [`10.0.0.${n}`]));
    const first = (await call(double, `${SLICES}?limit=1`)).json<{ metadata: { continue: string } }>();
    double.apply(slice("api-4", "api", ["10.0.0.4"]));
    double.compact();
    const answer = await call(double, `${SLICES}?limit=1&continue=${first.metadata.continue}`);
    expect(answer.status).toBe(410);
    expect(answer.json()).toMatchObject({ kind: "Status", status: "Failure", reason: "Expired", code: 410 });
    expect(answer.json<{ message: string }>().message).toContain("continue parameter is too old");
  });

  it("gets one object by name, and 404 NotFound as a Status for a missing one", async () => {
    await start();
    double.apply(slice("api-a", "api", ["10.0.0.1"]));
    expect((await call(double, `${SLICES}/api-a`)).json()).toMatchObject({
      kind: "EndpointSlice",
      apiVersion: "discovery.k8s.io/v1",
      metadata: { name: "api-a", namespace: "default" },
    });
    const missing = await call(double, `${SLICES}/nope`);
    expect(missing.status).toBe(404);
    expect(missing.json()).toMatchObject({
      reason: "NotFound",
      message: 'endpointslices.discovery.k8s.io "nope" not found',
    });
  });
});

describe("kubernetes double: writes", () => {
  it("creates, replaces with a resourceVersion check, and deletes", async () => {
    await start();
    const created = await call(double, SLICES, { body: slice("api-a", "api", ["10.0.0.1"]) });
    expect(created.status).toBe(201);
    const stored = created.json<{ metadata: { resourceVersion: string; uid: string } }>();
    expect((await call(double, SLICES, { body: slice("api-a", "api", ["10.0.0.1"]) })).json()).toMatchObject({
      reason: "AlreadyExists",
      code: 409,
    });
    const stale = {
      ...slice("api-a", "api", ["10.0.0.9"]),
      metadata: { name: "api-a", resourceVersion: "1" },
    };
    const conflict = await call(double, `${SLICES}/api-a`, { method: "PUT", body: stale });
    expect(conflict.json()).toMatchObject({ reason: "Conflict", code: 409 });
    const fresh = { ...stale, metadata: { name: "api-a", resourceVersion: stored.metadata.resourceVersion } };
    const replaced = await call(double, `${SLICES}/api-a`, { method: "PUT", body: fresh });
    expect(replaced.json()).toMatchObject({ metadata: { uid: stored.metadata.uid } });
    expect((await call(double, `${SLICES}/api-a`, { method: "DELETE" })).status).toBe(200);
    expect(double.objects("EndpointSlice")).toEqual([]);
  });

  it("refuses an EndpointSlice without a valid addressType with 422 Invalid", async () => {
    await start();
    const answer = await call(double, SLICES, {
      body: { ...slice("api-a", "api", []), addressType: "IPv5" },
    });
    expect(answer.status).toBe(422);
    expect(answer.json()).toMatchObject({ kind: "Status", reason: "Invalid" });
  });

  it("keeps a pod's status out of create and update, and writes it through the status subresource", async () => {
    await start();
    const pod = {
      kind: "Pod",
      metadata: { name: "p" },
      spec: { containers: [] },
      status: { phase: "Running" },
    };
    const created = (await call(double, PODS, { body: pod })).json<{ status: { phase: string } }>();
    expect(created.status.phase).toBe("Pending");
    await call(double, `${PODS}/p/status`, { method: "PUT", body: { ...pod, metadata: { name: "p" } } });
    expect(double.objects("Pod")[0]).toMatchObject({ status: { phase: "Running" } });
  });
});

describe("kubernetes double: watches", () => {
  it("starts with the current objects as ADDED, then streams each change", async () => {
    await start();
    double.apply(slice("api-a", "api", ["10.0.0.1"]));
    const stream = await watchStream(double, `${SLICES}?watch=1`);
    expect(stream.status).toBe(200);
    expect(await stream.next()).toMatchObject({ type: "ADDED", object: { metadata: { name: "api-a" } } });
    double.apply(slice("api-a", "api", ["10.0.0.2"]));
    expect(await stream.next()).toMatchObject({
      type: "MODIFIED",
      object: { endpoints: [{ addresses: ["10.0.0.2"] }] },
    });
    double.remove("EndpointSlice", "api-a");
    expect(await stream.next()).toMatchObject({ type: "DELETED", object: { metadata: { name: "api-a" } } });
    stream.close();
  });

  it("replays every change after the resourceVersion it is given", async () => {
    await start();
    double.apply(slice("api-a", "api", ["10.0.0.1"]));
    const from = double.resourceVersion();
    double.apply(slice("api-b", "api", ["10.0.0.2"]));
    double.remove("EndpointSlice", "api-a");
    const stream = await watchStream(double, `${SLICES}?watch=1&resourceVersion=${from}`);
    expect(await stream.next()).toMatchObject({ type: "ADDED", object: { metadata: { name: "api-b" } } });
    expect(await stream.next()).toMatchObject({ type: "DELETED", object: { metadata: { name: "api-a" } } });
    stream.close();
  });

  it("sends ERROR with a 410 Expired Status for a resourceVersion older than the last compaction", async () => {
    await start();
    double.apply(slice("api-a", "api", ["10.0.0.1"]));
    const from = double.resourceVersion();
    double.apply(slice("api-b", "api", ["10.0.0.2"]));
    double.compact();
    const stream = await watchStream(double, `${SLICES}?watch=1&resourceVersion=${from}`);
    expect(stream.status).toBe(200);
    const event = await stream.next();
    expect(event).toMatchObject({ type: "ERROR", object: { kind: "Status", reason: "Expired", code: 410 } });
    expect(String(event?.object.message)).toMatch(/^too old resource version: \d+ \(\d+\)$/);
    expect(await stream.next()).toBeUndefined();
  });

  it("sends BOOKMARK events with the newest resourceVersion only to watches that allow them", async () => {
    await start({ bookmarkIntervalMs: 1000 });
    double.apply(slice("api-a", "api", ["10.0.0.1"]));
    const rv = double.resourceVersion();
    const bookmarked = await watchStream(
      double,
      `${SLICES}?watch=1&resourceVersion=${rv}&allowWatchBookmarks=true`,
    );
    const plain = await watchStream(double, `${SLICES}?watch=1&resourceVersion=${rv}`);
    double.apply(slice("other", "web", ["10.0.0.9"]));
    double.remove("EndpointSlice", "other");
    await bookmarked.next(); // ADDED other
    await bookmarked.next(); // DELETED other
    clock.advance(1000);
    expect(await bookmarked.next()).toEqual({
      type: "BOOKMARK",
      object: {
        kind: "EndpointSlice",
        apiVersion: "discovery.k8s.io/v1",
        metadata: { resourceVersion: double.resourceVersion() },
      },
    });
    await plain.next();
    await plain.next();
    double.bookmark();
    double.apply(slice("api-b", "api", ["10.0.0.2"]));
    expect((await plain.next())?.type).toBe("ADDED");
    bookmarked.close();
    plain.close();
  });

  it("turns a label change that leaves or enters the selection into DELETED or ADDED", async () => {
    await start();
    double.apply(slice("s", "api", ["10.0.0.1"]));
    const stream = await watchStream(
      double,
      `${SLICES}?watch=1&labelSelector=kubernetes.io%2Fservice-name%3Dapi`,
    );
    expect((await stream.next())?.type).toBe("ADDED");
    double.apply(slice("s", "web", ["10.0.0.1"]));
    expect((await stream.next())?.type).toBe("DELETED");
    double.apply(slice("s", "api", ["10.0.0.1"]));
    expect((await stream.next())?.type).toBe("ADDED");
    stream.close();
  });

  it("ends a watch cleanly when its timeoutSeconds pass on the double's clock", async () => {
    await start();
    const stream = await watchStream(double, `${SLICES}?watch=1&timeoutSeconds=5`);
    expect(double.openWatches()).toBe(1);
    clock.advance(5000);
    expect(await stream.next()).toBeUndefined();
    expect(double.openWatches()).toBe(0);
  });

  it("drops a watch stream mid-way on a drop-after fault, and on dropWatches()", async () => {
    await start();
    double.injectFault({ kind: "drop-after", events: 1 }, { watch: true });
    const stream = await watchStream(double, `${SLICES}?watch=1&resourceVersion=${double.resourceVersion()}`);
    double.apply(slice("a", "api", ["10.0.0.1"]));
    expect((await stream.next())?.type).toBe("ADDED");
    expect(await stream.next()).toBeUndefined();
    const second = await watchStream(double, `${SLICES}?watch=1`);
    double.dropWatches();
    expect((await second.next())?.type).toBe("ADDED");
    expect(await second.next()).toBeUndefined();
  });
});

describe("kubernetes double: authentication and RBAC", () => {
  const users: KubernetesDoubleUser[] = [
    {
      name: "reader",
      token: "reader-token",
      rules: [{ verbs: ["get", "list", "watch"], resources: ["endpointslices"] }],
    },
    { name: "switchyard-client" },
  ];

  it("answers 401 Unauthorized as a Status without a known token", async () => {
    await start({ users, tls: true });
    for (const token of [undefined, "wrong"]) {
      const answer = await call(double, SLICES, { token });
      expect(answer.status).toBe(401);
      expect(answer.json()).toEqual({
        kind: "Status",
        apiVersion: "v1",
        metadata: {},
        status: "Failure",
        message: "Unauthorized",
        reason: "Unauthorized",
        code: 401,
      });
    }
  });

  it("answers 403 Forbidden with the API server's message outside the user's rules", async () => {
    await start({ users, tls: true });
    expect((await call(double, SLICES, { token: "reader-token" })).status).toBe(200);
    const answer = await call(double, PODS, { token: "reader-token" });
    expect(answer.status).toBe(403);
    expect(answer.json()).toMatchObject({
      reason: "Forbidden",
      code: 403,
      message:
        'pods is forbidden: User "reader" cannot list resource "pods" in API group "" in the namespace "default"',
      details: { kind: "pods" },
    });
  });

  it("authenticates the double's client certificate over TLS", async () => {
    await start({ users, tls: true });
    expect(double.url).toMatch(/^https:/);
    expect((await call(double, PODS, { clientCertificate: true })).status).toBe(200);
  });
});

describe("kubernetes double: faults and discovery documents", () => {
  it("plays status, expired and delay faults on matching requests only", async () => {
    await start();
    double.injectFault({ kind: "status", code: 503 }, { path: SLICES });
    expect((await call(double, PODS)).status).toBe(200);
    expect((await call(double, SLICES)).json()).toMatchObject({
      kind: "Status",
      code: 503,
      reason: "ServiceUnavailable",
    });
    double.injectFault({ kind: "expired" }, { watch: false });
    expect((await call(double, SLICES)).status).toBe(410);
    double.injectFault({ kind: "delay", ms: 2000 });
    const delayed = call(double, SLICES);
    await double.nextRequest();
    clock.advance(2000);
    expect((await delayed).status).toBe(200);
  });

  it("serves the discovery documents clients read first", async () => {
    await start();
    expect((await call(double, "/api")).json()).toMatchObject({ kind: "APIVersions", versions: ["v1"] });
    expect((await call(double, "/apis")).json()).toMatchObject({
      kind: "APIGroupList",
      groups: [{ name: "discovery.k8s.io" }],
    });
    const resources = (await call(double, "/apis/discovery.k8s.io/v1")).json<{
      resources: Array<{ name: string; verbs: string[] }>;
    }>();
    expect(resources.resources[0]).toMatchObject({
      name: "endpointslices",
      verbs: expect.arrayContaining(["list", "watch"]),
    });
    expect((await call(double, "/api/v1")).json()).toMatchObject({
      resources: expect.arrayContaining([expect.objectContaining({ name: "pods" })]),
    });
    expect((await call(double, "/apis/apps/v1")).status).toBe(404);
  });
});
