/** A Kubernetes object as the API server sends it (fields read defensively). */
export type KubeObject = Readonly<Record<string, unknown>> & {
  readonly metadata?: {
    readonly name?: string;
    readonly resourceVersion?: string;
    readonly deletionTimestamp?: string;
    readonly labels?: Readonly<Record<string, string>>;
    readonly annotations?: Readonly<Record<string, string>>;
  };
};

export type Fields = Readonly<Record<string, unknown>>;

export const isObject = (value: unknown): value is Fields =>
  typeof value === "object" && value !== null && !Array.isArray(value);

export const records = (value: unknown): Fields[] => (Array.isArray(value) ? value.filter(isObject) : []);

export const text = (value: unknown): string | undefined =>
  typeof value === "string" && value !== "" ? value : undefined;

/** What mapping objects onto instances gives. */
export interface Mapped<T> {
  readonly instances: T;
  /** One message per object or endpoint that was left out, and why. */
  readonly skipped: readonly string[];
}
