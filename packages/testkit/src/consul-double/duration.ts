// Go's time.ParseDuration, which Consul uses for `wait`, `TTL`, `Interval`, `Timeout` and
// `DeregisterCriticalServiceAfter`: a sequence of decimal numbers with units, such as "300ms",
// "1.5h" or "2h45m", with an optional sign; "0" alone needs no unit.

const UNIT_MS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  "\u00b5s": 1e-3,
  "\u03bcs": 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

const PART = /^(\d*)(?:\.(\d*))?([a-zµμ]+)/;

/** Parses a Go duration into milliseconds; `undefined` when Go would reject it. */
export function parseGoDuration(text: string): number | undefined {
  let rest = text;
  let sign = 1;
  if (rest.startsWith("-") || rest.startsWith("+")) {
    if (rest[0] === "-") sign = -1;
    rest = rest.slice(1);
  }
  if (rest === "0") return 0;
  if (rest === "") return undefined;
  let total = 0;
  while (rest !== "") {
    const match = PART.exec(rest);
    if (match === null) return undefined;
    const [all, whole = "", fraction, unit = ""] = match;
    if (whole === "" && (fraction === undefined || fraction === "")) return undefined;
    const factor = UNIT_MS[unit];
    if (factor === undefined) return undefined;
    total += Number(`${whole || "0"}.${fraction ?? "0"}`) * factor;
    rest = rest.slice(all.length);
  }
  return sign * total;
}

/** Formats milliseconds the way Go prints a time.Duration in check definitions ("10s", "1m0s", "0s"). */
export function formatGoDuration(ms: number): string {
  if (ms === 0) return "0s";
  if (ms < 1000) return `${Number(ms.toFixed(3))}ms`;
  const hours = Math.floor(ms / 3_600_000);
  const minutes = Math.floor((ms % 3_600_000) / 60_000);
  const seconds = Number(((ms % 60_000) / 1000).toFixed(3));
  if (hours > 0) return `${hours}h${minutes}m${seconds}s`;
  if (minutes > 0) return `${minutes}m${seconds}s`;
  return `${seconds}s`;
}
