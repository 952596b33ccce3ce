import type { Logger } from "@switchyard/api";
import { warnSafely } from "@switchyard/kit";

/**
 * Reports the throws of one user callback of a channel (the selector's done callbacks) through the
 * channel's logger, at its 1st, 2nd, 4th, 8th… throw: a callback that throws on every call is
 * reported without echoing it at the call rate. The call itself goes on either way.
 */
export class ThrowReport {
  private readonly logger: Logger;
  private readonly label: string;
  private readonly what: string;
  private readonly consequence: string;
  private count = 0;
  private next = 1;

  /**
   * @param label the service (or target) of the channel.
   * @param what the callback, as the message names it ("the selector's done callback").
   * @param consequence what happened to the call and what to do next.
   */
  constructor(logger: Logger, label: string, what: string, consequence: string) {
    this.logger = logger;
    this.label = label;
    this.what = what;
    this.consequence = consequence;
  }

  report(error: unknown, address: string | undefined): void {
    const count = ++this.count;
    if (count !== this.next) return;
    this.next = count * 2;
    warnSafely(
      this.logger,
      `transport-grpc: ${this.what} threw for node ${address} of "${this.label}" ` +
        `(${count === 1 ? "first throw" : `${count} throws so far`}); ${this.consequence}`,
      { service: this.label, address, count, error },
    );
  }
}
