// The story every run tells, as data: which instance turns slow, which starts failing, which leaves
// and which joins, and when (as a share of the run's calls). drive.mjs applies the steps at those
// calls and records when it did; the report marks them on the chart.

/** A quarter of the way in, the faults start; halfway, the membership changes. */
export const FAULTS_AT = 0.25;
export const MEMBERSHIP_AT = 0.5;

/** How long a healthy instance takes to answer (ms); the fleet adds ±25% jitter. */
export const HEALTHY_MS = 2;

/**
 * What each instance does in the story, for the report's tables and legends: `slow`, `fails`,
 * `leaves`, `joins`, or `""` for the instances that stay healthy throughout.
 */
export function roleOf(instance) {
  if (instance.leaves) return "leaves";
  if (instance.late) return "joins";
  if (instance.failRate > 0) return "fails";
  if (instance.delayMs > HEALTHY_MS) return "slow";
  return "";
}

/** The note a table shows beside an instance: its role and when it starts. */
export function noteOf(instance) {
  const faults = `from ${FAULTS_AT * 100}% of the run`;
  switch (roleOf(instance)) {
    case "leaves":
      return `leaves at ${MEMBERSHIP_AT * 100}%`;
    case "joins":
      return `joins at ${MEMBERSHIP_AT * 100}%`;
    case "fails":
      return `fails ${Math.round(instance.failRate * 100)}% ${faults}`;
    case "slow":
      return `slow (${instance.delayMs} ms) ${faults}`;
    default:
      return "";
  }
}

/**
 * The run's steps, in order: `{ call, events: [{ kind, id, label }] }`, applied before call number
 * `call` of `requests` is sent. `kind` is `slow`, `fails`, `leaves` or `joins`.
 */
export function scenarioSteps(instances, requests) {
  const event = (instance, kind, label) => ({ kind, id: instance.id, label: `${instance.id} ${label}` });
  const faults = instances
    .filter((i) => roleOf(i) === "slow" || roleOf(i) === "fails")
    .map((i) =>
      roleOf(i) === "slow"
        ? event(i, "slow", `turns slow (${i.delayMs} ms)`)
        : event(i, "fails", `starts failing ${Math.round(i.failRate * 100)}%`),
    );
  const membership = instances
    .filter((i) => i.leaves || i.late)
    .map((i) => (i.leaves ? event(i, "leaves", "leaves") : event(i, "joins", "joins")));
  return [
    { call: Math.floor(requests * FAULTS_AT), events: faults },
    { call: Math.floor(requests * MEMBERSHIP_AT), events: membership },
  ].filter((step) => step.events.length > 0);
}
