import type { Logger, Node } from "@switchyard/api";
import { warnSafely } from "@switchyard/kit";

/**
 * Reports the throws of one user callback (a selector's done, a view's onPick) through the
 * client's logger, at its 1st, 2nd, 4th, 8th… throw: a callback that throws on every request is
 * reported without echoing it at the request rate. The request itself goes on either way.
 */
export class ThrowReport {
  private readonly logger: Logger | undefined;
  private readonly what: string;
  private readonly consequence: string;
  private count = 0;
  private next = 1;

  /**
   * @param what the callback, as the message names it ("the selector's done callback").
   * @param consequence what happened to the request and what to do next.
   */
  constructor(logger: Logger | undefined, what: string, consequence: string) {
    this.logger = logger;
    this.what = what;
    this.consequence = consequence;
  }

  report(error: unknown, node: Node): void {
    const count = ++this.count;
    if (count !== this.next) return;
    this.next = count * 2;
    warnSafely(
      this.logger,
      `transport-http: ${this.what} threw for node ${node.address} of "${node.serviceName}" ` +
        `(${count === 1 ? "first throw" : `${count} throws so far`}); ${this.consequence}`,
      { service: node.serviceName, address: node.address, count, error },
    );
  }
}
