// For everyone: the client and its options.
export { createClient } from "./client.js";
export type { HttpClient, HttpResponse, RequestInit } from "./client.js";
export type { HttpClientOptions, RetryOptions, TlsOptions } from "./options.js";
export { ClientClosedError, HttpStatusError } from "./errors.js";
// What a blocking createClient and client.ready() reject with (the shared resolver's errors).
export { ResolverClosedError, ResolveTimeoutError } from "@switchyard/selector-core";
export { requestHeader } from "./headers.js";
export { keyFromHeader } from "./hash-key.js";

// For composing with undici directly.
export { SwitchyardDispatcher } from "./dispatcher.js";
export type { DispatchViewOptions } from "./dispatcher.js";
export { RetryBudget } from "./retry-budget.js";
export type { RetryBudgetOptions } from "./retry-budget.js";
export { parseTarget } from "./target.js";
export type { Target } from "./target.js";
