// The process clock lives in @switchyard/api, so registries (which depend on the API alone) and
// selector-core share one; selector-core keeps exporting it under its old name.
export { systemClock } from "@switchyard/api";
