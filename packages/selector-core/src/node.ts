import { InvalidArgumentError, type Metadata, type Node, type ServiceInstance } from "@switchyard/api";
import { toMetadata } from "./metadata.js";
import { describeValue, fieldProblem, MAX_WEIGHT } from "./node-fields.js";

export { MAX_WEIGHT } from "./node-fields.js";

/** What {@link createNode} takes. */
export interface NodeInit {
  readonly scheme: string;
  readonly address: string;
  readonly serviceName?: string;
  readonly version?: string;
  readonly metadata?: Readonly<Record<string, string>>;
  /** An integer from 0 to {@link MAX_WEIGHT}; when absent, balancers use their default (100). */
  readonly initialWeight?: number;
}

class StaticNode implements Node {
  // Brands the nodes built here: checked when made and frozen, so a selector's apply can trust
  // them without checking their fields again (a private name no other object can carry).
  readonly #checked = true;
  readonly scheme: string;
  readonly address: string;
  readonly serviceName: string;
  readonly initialWeight: number | undefined;
  readonly version: string;
  readonly metadata: Metadata;

  constructor(
    scheme: string,
    address: string,
    serviceName: string,
    initialWeight: number | undefined,
    version: string,
    metadata: Metadata,
  ) {
    this.scheme = scheme;
    this.address = address;
    this.serviceName = serviceName;
    this.initialWeight = initialWeight;
    this.version = version;
    this.metadata = metadata;
    Object.freeze(this);
  }

  static built(value: object): boolean {
    return #checked in value;
  }
}

/**
 * Whether `node` was built by {@link createNode} or {@link nodeFromInstance} of this copy of the
 * package: frozen, with every field checked. Anything else is checked field by field.
 */
export function isCheckedNode(node: object): boolean {
  return StaticNode.built(node);
}

function requireString(value: unknown, what: string): string {
  if (typeof value !== "string" || value === "") {
    throw new InvalidArgumentError(
      `createNode: ${what} must be a non-empty string, got ${describeValue(value)}`,
    );
  }
  return value;
}

/**
 * Builds a frozen node. Metadata is copied (see {@link toMetadata}).
 * @throws InvalidArgumentError when scheme or address is not a non-empty string, serviceName or
 * version is given but not a string, the weight is not an integer from 0 to {@link MAX_WEIGHT}, or
 * metadata is given but is not a plain object of string values.
 */
export function createNode(init: NodeInit): Node {
  if (typeof init !== "object" || init === null) {
    throw new InvalidArgumentError(`createNode: expected an object, got ${describeValue(init)}`);
  }
  const scheme = requireString(init.scheme, "scheme");
  const address = requireString(init.address, "address");
  const problem = fieldProblem(init, true);
  if (problem !== undefined) {
    const { field, expected, got } = problem;
    throw new InvalidArgumentError(
      `createNode: ${field} of ${address} must be ${expected}, got ${describeValue(got)}`,
    );
  }
  return new StaticNode(
    scheme,
    address,
    init.serviceName ?? "",
    init.initialWeight,
    init.version ?? "",
    toMetadata(init.metadata),
  );
}

/**
 * Reads the `weight` metadata of an instance: a decimal integer from 0 to {@link MAX_WEIGHT}.
 * Anything else (absent, `"abc"`, `"1.5"`, `"-3"`, out of range) means no weight, never an error:
 * registry data must not break routing.
 */
export function parseWeight(value: string | undefined): number | undefined {
  if (value === undefined || !/^\s*\+?\d{1,10}\s*$/.test(value)) return undefined;
  const weight = Number(value);
  return weight <= MAX_WEIGHT ? weight : undefined;
}

/**
 * Builds the node of one endpoint of a registry instance: weight from metadata `weight` when it
 * parses as an integer (see {@link parseWeight}), version and metadata from the instance.
 * @throws InvalidArgumentError when scheme or address is empty.
 */
export function nodeFromInstance(scheme: string, address: string, instance?: ServiceInstance): Node {
  const metadata = toMetadata(instance?.metadata);
  return new StaticNode(
    requireString(scheme, "scheme"),
    requireString(address, "address"),
    typeof instance?.name === "string" ? instance.name : "",
    parseWeight(metadata.weight),
    typeof instance?.version === "string" ? instance.version : "",
    metadata,
  );
}
