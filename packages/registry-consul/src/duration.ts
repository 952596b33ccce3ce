/** Formats milliseconds as a Go duration string for Consul ("10s", "1m", "1500ms"). */
export function goDuration(ms: number): string {
  if (ms % 60_000 === 0 && ms >= 60_000) return `${ms / 60_000}m`;
  if (ms % 1000 === 0 && ms >= 1000) return `${ms / 1000}s`;
  return `${Math.round(ms)}ms`;
}
