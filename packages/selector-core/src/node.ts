import { InvalidArgumentError, type Metadata, type Node, type ServiceInstance } from "@switchyard/api";
import { toMetadata } from "./metadata.js";

/** The largest initial weight a node may carry (the int32 range many load balancers use). */
export const MAX_WEIGHT = 2_147_483_647;

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
}

function requireString(value: unknown, what: string): string {
  if (typeof value !== "string" || value === "") {
    throw new InvalidArgumentError(`createNode: ${what} must be a non-empty string, got ${describe(value)}`);
  }
  return value;
}

function describe(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value) : String(value);
}

function isValidWeight(value: number): boolean {
  return Number.isInteger(value) && value >= 0 && value <= MAX_WEIGHT;
}

/**
 * Builds a frozen node.
 * @throws InvalidArgumentError when scheme or address is empty, or the weight is not an integer
 * from 0 to {@link MAX_WEIGHT}.
 */
export function createNode(init: NodeInit): Node {
  if (typeof init !== "object" || init === null) {
    throw new InvalidArgumentError(`createNode: expected an object, got ${describe(init)}`);
  }
  const scheme = requireString(init.scheme, "scheme");
  const address = requireString(init.address, "address");
  const weight = init.initialWeight;
  if (weight !== undefined && (typeof weight !== "number" || !isValidWeight(weight))) {
    throw new InvalidArgumentError(
      `createNode: initialWeight of ${address} must be an integer from 0 to ${MAX_WEIGHT}, got ${describe(weight)}`,
    );
  }
  return new StaticNode(
    scheme,
    address,
    init.serviceName ?? "",
    weight,
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
