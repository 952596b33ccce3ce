// Backoff is defined once, in @switchyard/kit, for the resolver loop and the registries alike;
// selector-core keeps exporting it under the names it always had.

export type { Backoff, BackoffOptions } from "@switchyard/kit";
export { createBackoff, DEFAULT_BACKOFF } from "@switchyard/kit";
