// The DNS wire format (RFC 1035 §4), as much as a client of SRV, A and AAAA needs: one question
// out, answers with their TTLs back. Node's `dns.Resolver` gives TTLs for A and AAAA only, not for
// SRV, and hides the additional section (where a server puts the addresses of SRV targets) and the
// SOA of a negative answer (how long "no such name" holds); this reads all three.

/** Record types this client asks for or reads. */
export const TYPE_A = 1;
export const TYPE_CNAME = 5;
export const TYPE_SOA = 6;
export const TYPE_AAAA = 28;
export const TYPE_SRV = 33;
const TYPE_OPT = 41;
export const CLASS_IN = 1;

/** The question types a query may carry. */
export type QueryType = typeof TYPE_A | typeof TYPE_AAAA | typeof TYPE_SRV;

/** Response codes (RFC 1035 §4.1.1) the client tells apart. */
export const RCODE_NOERROR = 0;
export const RCODE_NXDOMAIN = 3;

/** The UDP payload this client can take (EDNS0), the size DNS Flag Day 2020 settled on. */
export const UDP_PAYLOAD = 1232;

/** A record of a reply. Names are lower case, without the trailing dot; TTLs in seconds. */
export type DnsRecord =
  | {
      readonly type: typeof TYPE_A | typeof TYPE_AAAA;
      readonly name: string;
      readonly ttl: number;
      readonly address: string;
    }
  | {
      readonly type: typeof TYPE_SRV;
      readonly name: string;
      readonly ttl: number;
      readonly priority: number;
      readonly weight: number;
      readonly port: number;
      readonly target: string;
    }
  | { readonly type: typeof TYPE_CNAME; readonly name: string; readonly ttl: number; readonly target: string }
  | { readonly type: typeof TYPE_SOA; readonly name: string; readonly ttl: number; readonly minimum: number };

/** A decoded reply. Records of other types and classes are left out. */
export interface DnsReply {
  readonly id: number;
  readonly rcode: number;
  /** The TC bit: the reply did not fit in the UDP payload; ask again over TCP. */
  readonly truncated: boolean;
  readonly questionName: string | undefined;
  readonly questionType: number | undefined;
  readonly answers: readonly DnsRecord[];
  readonly authority: readonly DnsRecord[];
  readonly additional: readonly DnsRecord[];
}

/** A reply that does not follow the wire format. */
export class MalformedReplyError extends Error {
  constructor(reason: string) {
    super(`the reply is malformed: ${reason}`);
    this.name = "MalformedReplyError";
  }
}

/**
 * Encodes a recursive query for `name` (already checked by `checkDnsName`) with an EDNS0 OPT record
 * that offers {@link UDP_PAYLOAD} bytes, so large SRV sets still fit in one datagram.
 */
export function encodeQuery(id: number, name: string, type: QueryType): Buffer {
  const labels = name === "" ? [] : name.split(".");
  let size = 12 + 1 + 4 + 11;
  for (const label of labels) size += 1 + label.length;
  const buffer = Buffer.alloc(size);
  buffer.writeUInt16BE(id, 0);
  buffer.writeUInt16BE(0x0100, 2); // a standard query, recursion desired
  buffer.writeUInt16BE(1, 4); // one question
  buffer.writeUInt16BE(1, 10); // one additional record: OPT
  let at = 12;
  for (const label of labels) {
    buffer[at++] = label.length;
    at += buffer.write(label, at, "latin1");
  }
  buffer[at++] = 0;
  buffer.writeUInt16BE(type, at);
  buffer.writeUInt16BE(CLASS_IN, at + 2);
  at += 4;
  buffer[at++] = 0; // OPT: the root name
  buffer.writeUInt16BE(TYPE_OPT, at);
  buffer.writeUInt16BE(UDP_PAYLOAD, at + 2); // OPT's class is the payload size; TTL and length stay 0
  return buffer;
}
