import { randomInt } from "node:crypto";
import { type Clock, RegistryError } from "@switchyard/api";
import { errorMessage } from "@switchyard/kit";
import { type DnsServer, exchange } from "./exchange.js";
import {
  type DnsReply,
  encodeQuery,
  type QueryType,
  RCODE_NOERROR,
  RCODE_NXDOMAIN,
  TYPE_A,
  TYPE_AAAA,
} from "./message.js";

/** What a {@link DnsClient} needs, checked by the settings. */
export interface ClientSettings {
  readonly servers: readonly DnsServer[];
  readonly timeoutMs: number;
  readonly attempts: number;
  readonly clock: Clock;
}

const RCODE_NAMES: Readonly<Record<number, string>> = {
  1: "FORMERR",
  2: "SERVFAIL",
  4: "NOTIMP",
  5: "REFUSED",
};

/** The text of a query type in messages. */
export function typeName(type: QueryType): string {
  return type === TYPE_A ? "A" : type === TYPE_AAAA ? "AAAA" : "SRV";
}

/**
 * Asks the configured servers, in order, until one gives an answer: records (NOERROR) or "no such
 * name" (NXDOMAIN). A server that times out, fails to reply, sends a malformed reply or refuses
 * (SERVFAIL, REFUSED, …) passes the question to the next one; the whole list is tried `attempts`
 * times.
 */
export class DnsClient {
  private readonly settings: ClientSettings;

  constructor(settings: ClientSettings) {
    this.settings = settings;
  }

  /**
   * The answer to one question.
   * @throws RegistryError (retryable) when no server answered; the signal's reason when it aborts.
   */
  async query(name: string, type: QueryType, signal: AbortSignal | undefined): Promise<DnsReply> {
    const { servers, attempts, timeoutMs, clock } = this.settings;
    const problems = new Set<string>();
    let cause: unknown;
    for (let attempt = 0; attempt < attempts; attempt++) {
      for (const server of servers) {
        signal?.throwIfAborted();
        const id = randomInt(0x10000);
        const message = encodeQuery(id, name, type);
        try {
          const reply = await exchange({ server, message, id, name, type, timeoutMs, clock, signal });
          if (reply.rcode === RCODE_NOERROR || reply.rcode === RCODE_NXDOMAIN) return reply;
          const rcode = RCODE_NAMES[reply.rcode] ?? `rcode ${reply.rcode}`;
          problems.add(`${server.label} answered ${rcode}`);
          cause = undefined;
        } catch (error) {
          if (signal?.aborted) throw signal.reason;
          problems.add(`${server.label}: ${errorMessage(error)}`);
          cause = error;
        }
      }
    }
    throw new RegistryError(
      `dns: no server answered ${typeName(type)} ${name} (${[...problems].join("; ")}); check that the servers are reachable and serve this name`,
      { cause, retryable: true },
    );
  }
}
