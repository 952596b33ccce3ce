// What makes a node's fields valid, checked in one place for createNode (user input) and for the
// plain node objects a selector's apply is given (anything that claims to be a Node).

/** The largest initial weight a node may carry (the int32 range many load balancers use). */
export const MAX_WEIGHT = 2_147_483_647;

const WEIGHT_RANGE = `an integer from 0 to ${MAX_WEIGHT}`;

/** One field of a would-be node that is not what a node needs. */
export interface FieldProblem {
  /** The field as messages name it: `version`, `metadata "zone"`. */
  readonly field: string;
  /** What it must be: `a string`. */
  readonly expected: string;
  /** What it was. */
  readonly got: unknown;
}

/** A short, safe rendering of a bad value for an error message. */
export function describeValue(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) return "an array";
  if (typeof value === "function") return "a function";
  if (typeof value === "object" && value !== null) return "an object";
  return String(value);
}

/** Whether `value` is a valid initial weight: an integer from 0 to {@link MAX_WEIGHT}. */
export function isValidWeight(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= MAX_WEIGHT;
}

function isPlainObject(value: unknown): value is Readonly<Record<string, unknown>> {
  if (typeof value !== "object" || value === null) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/**
 * The first problem among the fields that follow scheme and address (serviceName, version,
 * initialWeight, metadata), or `undefined` when all are valid. With `optional` (the init object of
 * `createNode`), serviceName, version and metadata may be absent; a node must have them all.
 * initialWeight may always be absent.
 */
export function fieldProblem(node: object, optional: boolean): FieldProblem | undefined {
  const { serviceName, version, initialWeight, metadata } = node as Readonly<Record<string, unknown>>;
  if (typeof serviceName !== "string" && !(optional && serviceName === undefined)) {
    return { field: "serviceName", expected: "a string", got: serviceName };
  }
  if (typeof version !== "string" && !(optional && version === undefined)) {
    return { field: "version", expected: "a string", got: version };
  }
  if (initialWeight !== undefined && !isValidWeight(initialWeight)) {
    const expected = optional ? WEIGHT_RANGE : `undefined or ${WEIGHT_RANGE}`;
    return { field: "initialWeight", expected, got: initialWeight };
  }
  if (optional && metadata === undefined) return undefined;
  if (!isPlainObject(metadata)) {
    return { field: "metadata", expected: "a plain object of string values", got: metadata };
  }
  for (const key of Object.keys(metadata)) {
    const value = metadata[key];
    if (typeof value !== "string")
      return { field: `metadata ${JSON.stringify(key)}`, expected: "a string", got: value };
  }
  return undefined;
}
