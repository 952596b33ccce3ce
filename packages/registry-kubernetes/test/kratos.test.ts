import { describe, expect, it } from "vitest";
import { KRATOS_LABELS } from "../src/index.js";
import { instancesFromPods } from "../src/pods.js";

interface PodInit {
  readonly id?: string;
  readonly version?: string;
  readonly metadata?: string;
  readonly protocols?: string;
  readonly ready?: boolean;
  readonly phase?: string;
  readonly deleting?: boolean;
  readonly ports?: unknown[];
}

function pod(name: string, ip: string, init: PodInit = {}) {
  const annotations: Record<string, string> = {};
  if (init.metadata !== undefined) annotations[KRATOS_LABELS.metadata] = init.metadata;
  if (init.protocols !== undefined) annotations[KRATOS_LABELS.protocols] = init.protocols;
  return {
    metadata: {
      name,
      labels: {
        [KRATOS_LABELS.app]: "helloworld",
        ...(init.id === undefined ? {} : { [KRATOS_LABELS.id]: init.id }),
        ...(init.version === undefined ? {} : { [KRATOS_LABELS.version]: init.version }),
      },
      annotations,
      ...(init.deleting ? { deletionTimestamp: "2026-01-01T00:00:00Z" } : {}),
    },
    spec: {
      containers: [
        {
          name: "app",
          ports: init.ports ?? [
            { containerPort: 8000, name: "http-api" },
            { containerPort: 9000, name: "grpc" },
          ],
        },
      ],
    },
    status: {
      phase: init.phase ?? "Running",
      podIP: ip,
      conditions: [{ type: "Ready", status: init.ready === false ? "False" : "True" }],
    },
  };
}

const map = (...pods: unknown[]) => instancesFromPods(pods as never, "helloworld");

describe("Kratos's pod labels onto instances", () => {
  it("reads id, version, metadata and endpoints as Kratos's registry writes them", () => {
    const { instances } = map(
      pod("hello-7d9f", "10.1.0.5", {
        id: "56991810-c77f",
        version: "v3.5.0",
        metadata: '{"region":"sh","zone":"sh001"}',
        protocols: '{"9000":"grpc","8000":"http"}',
      }),
    );
    expect(instances).toEqual([
      {
        id: "56991810-c77f",
        name: "helloworld",
        version: "v3.5.0",
        metadata: { region: "sh", zone: "sh001" },
        endpoints: ["http://10.1.0.5:8000", "grpc://10.1.0.5:9000"],
      },
    ]);
  });

  it("falls back to the port name up to its first '-', then the protocol, and brackets IPv6", () => {
    const { instances } = map(
      pod("p", "fd00::5", {
        ports: [
          { containerPort: 8000, name: "http-api" },
          { containerPort: 7000, protocol: "TCP" },
        ],
      }),
    );
    expect(instances[0]).toMatchObject({
      id: "p",
      version: "",
      metadata: {},
      endpoints: ["http://[fd00::5]:8000", "tcp://[fd00::5]:7000"],
    });
  });

  it("keeps only running, ready pods, and terminating ones only while no other is ready", () => {
    const ready = pod("a", "10.0.0.1");
    const unready = pod("b", "10.0.0.2", { ready: false });
    const pending = pod("c", "10.0.0.3", { phase: "Pending" });
    const leaving = pod("d", "10.0.0.4", { deleting: true });
    expect(map(ready, unready, pending, leaving).instances.map((i) => i.id)).toEqual(["a"]);
    expect(map(unready, leaving).instances.map((i) => i.id)).toEqual(["d"]);
  });

  it("tells apart pods that share a kratos-service-id by their names", () => {
    const ids = map(
      pod("x-1", "10.0.0.1", { id: "same" }),
      pod("x-2", "10.0.0.2", { id: "same" }),
      pod("y", "10.0.0.3", { id: "own" }),
    );
    expect(ids.instances.map((i) => i.id)).toEqual(["own", "x-1", "x-2"]);
  });

  it("skips, with a reason, a pod whose annotation is not a JSON object of strings", () => {
    const result = map(
      pod("bad", "10.0.0.1", { metadata: '{"weight": 5}' }),
      pod("good", "10.0.0.2", { metadata: "{}" }),
    );
    expect(result.instances.map((i) => i.id)).toEqual(["good"]);
    expect(result.skipped).toEqual([
      'pod bad of "helloworld" has a kratos-service-metadata annotation that is not a JSON object of strings; it is skipped',
    ]);
  });
});
