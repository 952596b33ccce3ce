import { describe, expect, it } from "vitest";
import { schemeOf } from "../src/schemes.js";
import { instancesFromSlices } from "../src/slices.js";

type Endpoint = Record<string, unknown>;

const slice = (
  name: string,
  endpoints: Endpoint[],
  ports: unknown[] = [{ name: "http", port: 8080 }],
  addressType = "IPv4",
) => ({
  metadata: { name },
  addressType,
  ports,
  endpoints,
});
const pod = (
  n: number,
  conditions: Record<string, boolean> = { ready: true },
  extra: Endpoint = {},
): Endpoint => ({
  addresses: [`10.0.0.${n}`],
  conditions,
  targetRef: { kind: "Pod", name: `api-${n}` },
  ...extra,
});
const map = (...slices: unknown[]) => instancesFromSlices(slices as never, "api", "http");
const ids = (...slices: unknown[]) => map(...slices).instances.map((i) => i.id);

describe("EndpointSlices onto instances", () => {
  it("makes one instance per endpoint, its id the pod, one URL per TCP port with its scheme", () => {
    const { instances } = map(
      slice(
        "s",
        [pod(1, { ready: true }, { zone: "eu-1a", nodeName: "node-7" })],
        [
          { name: "http", port: 8080, protocol: "TCP" },
          { name: "grpc-api", port: 9090 },
          { name: "dns", port: 53, protocol: "UDP" },
          { name: "all" },
        ],
      ),
    );
    expect(instances).toEqual([
      {
        id: "api-1",
        name: "api",
        version: "",
        metadata: { zone: "eu-1a", nodeName: "node-7" },
        endpoints: ["http://10.0.0.1:8080", "grpc://10.0.0.1:9090"],
      },
    ]);
    expect(Object.isFrozen(instances[0])).toBe(true);
    expect(Object.getPrototypeOf(instances[0]!.metadata)).toBeNull();
  });

  it("takes the scheme from appProtocol first, then the port name, then the default", () => {
    expect(schemeOf("kubernetes.io/h2c", "http", "http")).toBe("grpc");
    expect(schemeOf("https", "grpc", "http")).toBe("https");
    expect(schemeOf("example.com/custom", "grpcs-internal", "http")).toBe("grpcs");
    expect(schemeOf(undefined, "grpc-web", "http")).toBe("http");
    expect(schemeOf(undefined, "HTTP2", "http")).toBe("grpc");
    expect(schemeOf(undefined, "metrics", "http")).toBe("http");
    expect(schemeOf(undefined, undefined, "grpc")).toBe("grpc");
    expect(
      instancesFromSlices([slice("s", [pod(1)], [{ port: 50051 }])] as never, "api", "grpc").instances[0]!
        .endpoints,
    ).toEqual(["grpc://10.0.0.1:50051"]);
  });

  it("uses the address as id without a targetRef, brackets IPv6, and merges a pod listed in two slices", () => {
    const v4 = slice("a", [pod(1), { addresses: ["10.0.0.9"], conditions: { ready: true } }]);
    const v6 = slice(
      "b",
      [{ addresses: ["fd00::1"], conditions: { ready: true }, targetRef: { name: "api-1" } }],
      undefined,
      "IPv6",
    );
    expect(map(v4, v6).instances).toEqual([
      expect.objectContaining({ id: "10.0.0.9", endpoints: ["http://10.0.0.9:8080"] }),
      expect.objectContaining({ id: "api-1", endpoints: ["http://10.0.0.1:8080", "http://[fd00::1]:8080"] }),
    ]);
  });

  it("keeps ready endpoints (ready unset counts as ready) and leaves not-ready ones out", () => {
    expect(
      ids(
        slice("s", [
          pod(1, {}),
          pod(2, { ready: false, serving: false }),
          pod(3, { ready: true, serving: true, terminating: false }),
        ]),
      ),
    ).toEqual(["api-1", "api-3"]);
  });

  it("gives terminating-but-serving endpoints no new calls while another is ready, and all of them when none is", () => {
    const draining = pod(1, { ready: false, serving: true, terminating: true });
    expect(ids(slice("s", [draining, pod(2)]))).toEqual(["api-2"]);
    expect(ids(slice("s", [draining, pod(2, { ready: false, serving: false, terminating: true })]))).toEqual([
      "api-1",
    ]);
    expect(ids(slice("s", [pod(2, { ready: false, serving: false, terminating: true })]))).toEqual([]);
  });

  it("puts topology hints into metadata", () => {
    const hinted = pod(
      1,
      { ready: true },
      { hints: { forZones: [{ name: "a" }, { name: "b" }], forNodes: [{ name: "n1" }] } },
    );
    expect(map(slice("s", [hinted])).instances[0]!.metadata).toEqual({
      hintsForZones: "a,b",
      hintsForNodes: "n1",
    });
  });

  it("skips, with a reason, the endpoints of a slice without a usable port", () => {
    const result = map(slice("bare", [pod(1)], [{ name: "all" }]), slice("ok", [pod(2)]));
    expect(result.instances.map((i) => i.id)).toEqual(["api-2"]);
    expect(result.skipped).toEqual([
      'EndpointSlice bare of "api" has no TCP port with a number; its endpoints are skipped (give the Service a port)',
    ]);
  });
});
