import type { Logger, Selector } from "@switchyard/api";
import { debugSafely, warnSafely } from "@switchyard/kit";
import { publishHealth } from "../diagnostics.js";
import type { NodeHealthRecord } from "./node-health.js";

/**
 * The log lines of the health layer, one method per transition, through the selector's `logger`
 * (`warnSafely`: a logger that throws, or none, falls back to `process.emitWarning`); ejections and
 * returns also go to the `switchyard:health` diagnostics channel.
 */
export class HealthReport {
  private readonly logger: Logger | undefined;
  private readonly name: string;
  private readonly selector: Selector | undefined;

  constructor(logger: Logger | undefined, name: string, selector?: Selector) {
    this.logger = logger;
    this.name = name;
    this.selector = selector;
  }

  ejected(record: NodeHealthRecord, why: string, ms: number, out: number, total: number): void {
    const next =
      record.reason === "pushback"
        ? "It is back when that time is over"
        : "Then it gets one probe call: a success brings it back, a failure keeps it out as long again";
    warnSafely(
      this.logger,
      `${this.name}: node ${record.address}${of(record)} ejected for ${seconds(ms)}: ${why}; ${out} of ${total} ` +
        `node${total === 1 ? "" : "s"} out. ${next}.`,
      details(record, { durationMs: ms }),
    );
    publishHealth(this.selector, this.name, "ejected", record, ms);
  }

  probeFailed(record: NodeHealthRecord, what: string, ms: number): void {
    debugSafely(
      this.logger,
      `${this.name}: node ${record.address}${of(record)} failed its probe call (${what}); out for ${seconds(ms)} more`,
      details(record, { durationMs: ms }),
    );
  }

  returned(record: NodeHealthRecord, why: string, outMs: number, probation: number): void {
    warnSafely(
      this.logger,
      `${this.name}: node ${record.address}${of(record)} is back after ${seconds(outMs)} out: ${why}` +
        (probation > 0 ? `; on probation (a failure in its next ${probation} calls ejects it again).` : "."),
      details(record, { outMs }),
    );
    publishHealth(this.selector, this.name, "returned", record, outMs);
  }

  capped(record: NodeHealthRecord, why: string, out: number, total: number): void {
    warnSafely(
      this.logger,
      `${this.name}: node ${record.address}${of(record)} is failing (${why}) but stays a candidate: ${out} of ` +
        `${total} nodes are out already, the most health.maxEjectedShare allows. It goes out when one comes back.`,
      details(record, {}),
    );
  }

  panic(records: readonly NodeHealthRecord[]): void {
    const first = records[0];
    warnSafely(
      this.logger,
      `${this.name}: no node${first === undefined ? "" : of(first)} is healthy (${records.length} failing or out): ` +
        "every node is a candidate again until enough of them answer",
      { nodes: records.length },
    );
  }

  calm(healthy: number, total: number): void {
    warnSafely(
      this.logger,
      `${this.name}: ${healthy} of ${total} nodes are healthy again: ejected nodes leave the candidates again`,
      { healthy, nodes: total },
    );
  }
}

function of(record: NodeHealthRecord): string {
  const service = record.node?.serviceName ?? "";
  return service === "" ? "" : ` of "${service}"`;
}

function seconds(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${Math.round(ms / 100) / 10} s`;
}

function details(record: NodeHealthRecord, extra: Record<string, unknown>): Record<string, unknown> {
  return { address: record.address, reason: record.reason, ejections: record.ejections, ...extra };
}
