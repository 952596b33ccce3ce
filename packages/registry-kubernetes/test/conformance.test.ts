import type { ServiceInstance } from "@switchyard/api";
import { describeRegistryConformance } from "@switchyard/testkit";
import { doubleWriter, podRegistrar, sliceRegistrar, startCluster } from "./helpers.js";

// An EndpointSlice carries addresses, ports and topology, not versions or free metadata: the
// instances registered through slices hold what a slice can carry.
const sliceSample = (service: string, n: number): ServiceInstance => ({
  id: `${service}-${n}`,
  name: service,
  version: "",
  metadata: { zone: `zone-${n}` },
  endpoints: [`http://127.0.0.1:${18000 + n}`, `grpc://127.0.0.1:${19000 + n}`],
});

describeRegistryConformance({
  name: "registry-kubernetes (EndpointSlices) on the Kubernetes double",
  sample: sliceSample,
  async create() {
    const cluster = await startCluster();
    return {
      registrar: sliceRegistrar(doubleWriter(cluster.double)),
      discovery: cluster.discovery,
      close: cluster.close,
    };
  },
});

// Kratos's layout carries everything: the default sample, version and metadata included.
describeRegistryConformance({
  name: "registry-kubernetes (Kratos pod labels) on the Kubernetes double",
  async create() {
    const cluster = await startCluster({ layout: "kratos" });
    return {
      registrar: podRegistrar(doubleWriter(cluster.double)),
      discovery: cluster.discovery,
      close: cluster.close,
    };
  },
});
