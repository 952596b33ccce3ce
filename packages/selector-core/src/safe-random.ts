// The safe draw lives in @switchyard/kit (the registries' backoff uses it too); selector-core keeps
// exporting it for balancer authors.
export { SafeRandom, safeRandom } from "@switchyard/kit";
