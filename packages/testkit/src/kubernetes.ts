// A faithful double of the Kubernetes API server's list/watch protocol for EndpointSlices and Pods,
// on loopback, for registry tests that cannot run a cluster. Import from
// "@switchyard/testkit/kubernetes".

export type { KubernetesDouble, KubernetesDoubleKubeconfigOptions } from "./kubernetes-double/double.js";
export { startKubernetesDouble } from "./kubernetes-double/double.js";
export type {
  KubeObject,
  KubeObjectMeta,
  KubernetesDoubleOptions,
  KubernetesDoubleRule,
  KubernetesDoubleUser,
  KubernetesFault,
  KubernetesFaultOptions,
  KubernetesKind,
  KubernetesRecordedRequest,
  KubernetesRequestOutcome,
  KubernetesVerb,
} from "./kubernetes-double/types.js";
