// The discovery documents clients read before anything else (kubectl reads /api and /apis, then
// the resource list of each group version, to map `endpointslices` to its group and path), in
// the legacy (unaggregated) form every client since 1.0 accepts: a client that asks for
// aggregated discovery first falls back to it.

const VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

export function versionDocument(): unknown {
  return {
    major: "1",
    minor: "32",
    gitVersion: "v1.32.0-switchyard-double",
    gitCommit: "0000000000000000000000000000000000000000",
    gitTreeState: "clean",
    buildDate: "2026-01-01T00:00:00Z",
    goVersion: "go1.23.0",
    compiler: "gc",
    platform: "linux/amd64",
  };
}

export function coreVersions(serverAddress: string): unknown {
  return {
    kind: "APIVersions",
    versions: ["v1"],
    serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress }],
  };
}

export function groupList(): unknown {
  const version = { groupVersion: "discovery.k8s.io/v1", version: "v1" };
  return {
    kind: "APIGroupList",
    apiVersion: "v1",
    groups: [{ name: "discovery.k8s.io", versions: [version], preferredVersion: version }],
  };
}

export function discoveryGroup(): unknown {
  const version = { groupVersion: "discovery.k8s.io/v1", version: "v1" };
  return {
    kind: "APIGroup",
    apiVersion: "v1",
    name: "discovery.k8s.io",
    versions: [version],
    preferredVersion: version,
  };
}

export function coreResources(): unknown {
  return {
    kind: "APIResourceList",
    groupVersion: "v1",
    resources: [
      {
        name: "pods",
        singularName: "pod",
        namespaced: true,
        kind: "Pod",
        verbs: VERBS,
        shortNames: ["po"],
        categories: ["all"],
      },
      {
        name: "pods/status",
        singularName: "",
        namespaced: true,
        kind: "Pod",
        verbs: ["get", "patch", "update"],
      },
    ],
  };
}

export function discoveryResources(): unknown {
  return {
    kind: "APIResourceList",
    apiVersion: "v1",
    groupVersion: "discovery.k8s.io/v1",
    resources: [
      {
        name: "endpointslices",
        singularName: "endpointslice",
        namespaced: true,
        kind: "EndpointSlice",
        verbs: VERBS,
      },
    ],
  };
}
