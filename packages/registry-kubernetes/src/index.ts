// For everyone: the discovery and its options.
export { createKubernetesDiscovery } from "./discovery.js";
export type { KubernetesDiscovery } from "./discovery.js";
export type {
  KubernetesBackoffOptions,
  KubernetesDiscoveryOptions,
  KubernetesErrorContext,
  KubernetesLayout,
  KubernetesOperation,
} from "./options.js";

// For tools that label pods for the Kratos layout: the label and annotation names.
export { KRATOS_LABELS } from "./pods.js";
