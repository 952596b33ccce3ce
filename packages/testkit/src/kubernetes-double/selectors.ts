// Label and field selectors with the API server's grammar: `a=b`, `a==b`, `a!=b`, `a in (x,y)`,
// `a notin (x,y)`, `a`, `!a`, joined by commas (all must hold). A selector that does not parse is
// refused with 400, as the API server does.
import type { KubeObject } from "./types.js";

/** A selector that does not parse; its message is the API server's. */
export class SelectorError extends Error {}

type Requirement = (labels: Readonly<Record<string, string>>) => boolean;

/** Splits on commas outside parentheses. */
function split(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "(") depth++;
    else if (c === ")") depth--;
    else if (c === "," && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.map((p) => p.trim()).filter((p) => p !== "");
}

const KEY = /^([a-z0-9A-Z]([\w.-]*[a-z0-9A-Z])?\/)?[a-z0-9A-Z]([\w.-]*[a-z0-9A-Z])?$/;

function checkKey(key: string, whole: string): void {
  if (!KEY.test(key))
    throw new SelectorError(`unable to parse requirement: invalid label key "${key}" in "${whole}"`);
}

function requirement(text: string): Requirement {
  const set = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(text);
  if (set !== null) {
    const [, key, op, list] = set as unknown as [string, string, string, string];
    checkKey(key, text);
    const values = new Set(list.split(",").map((v) => v.trim()));
    return op === "in"
      ? (labels) => key in labels && values.has(labels[key]!)
      : (labels) => !(key in labels) || !values.has(labels[key]!);
  }
  const compare = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(text);
  if (compare !== null) {
    const [, key, op, value] = compare as unknown as [string, string, string, string];
    checkKey(key, text);
    return op === "!=" ? (labels) => labels[key] !== value : (labels) => labels[key] === value;
  }
  if (text.startsWith("!")) {
    const key = text.slice(1).trim();
    checkKey(key, text);
    return (labels) => !(key in labels);
  }
  checkKey(text, text);
  return (labels) => text in labels;
}

/** Parses a label selector into a predicate over an object's labels. */
export function parseLabelSelector(selector: string | null): (object: KubeObject) => boolean {
  if (selector === null || selector.trim() === "") return () => true;
  const requirements = split(selector).map(requirement);
  return (object) => {
    const labels = object.metadata?.labels ?? {};
    return requirements.every((r) => r(labels));
  };
}

const FIELDS: Readonly<Record<string, (object: KubeObject) => string>> = {
  "metadata.name": (o) => o.metadata?.name ?? "",
  "metadata.namespace": (o) => o.metadata?.namespace ?? "",
};

const POD_FIELDS: Readonly<Record<string, (object: KubeObject) => string>> = {
  ...FIELDS,
  "spec.nodeName": (o) => String((o.spec as { nodeName?: string } | undefined)?.nodeName ?? ""),
  "status.phase": (o) => String((o.status as { phase?: string } | undefined)?.phase ?? ""),
  "status.podIP": (o) => String((o.status as { podIP?: string } | undefined)?.podIP ?? ""),
};

/** Parses a field selector (`metadata.name`, `metadata.namespace`; for pods a few more). */
export function parseFieldSelector(selector: string | null, pods: boolean): (object: KubeObject) => boolean {
  if (selector === null || selector.trim() === "") return () => true;
  const fields = pods ? POD_FIELDS : FIELDS;
  const tests = split(selector).map((part) => {
    const match = /^([^=!]+?)\s*(==|=|!=)\s*(.*)$/.exec(part);
    if (match === null) throw new SelectorError(`invalid selector: '${part}'; can't understand '${part}'`);
    const [, field, op, value] = match as unknown as [string, string, string, string];
    const read = fields[field];
    if (read === undefined) throw new SelectorError(`field label not supported: ${field}`);
    return op === "!=" ? (o: KubeObject) => read(o) !== value : (o: KubeObject) => read(o) === value;
  });
  return (object) => tests.every((t) => t(object));
}
