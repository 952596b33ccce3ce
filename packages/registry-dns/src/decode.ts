// Reading DNS replies (RFC 1035 §4.1). Nothing in a reply is trusted: every length is checked against
// the bytes there are, and a compression pointer must point before the name part it continues, so
// a hostile reply can neither read out of bounds nor make a name loop.
import {
  CLASS_IN,
  type DnsRecord,
  type DnsReply,
  MalformedReplyError,
  TYPE_A,
  TYPE_AAAA,
  TYPE_CNAME,
  TYPE_SOA,
  TYPE_SRV,
} from "./message.js";

/** Reads a reply; throws {@link MalformedReplyError} for anything that does not parse. */
export function decodeReply(buffer: Buffer): DnsReply {
  if (buffer.length < 12) throw new MalformedReplyError(`${buffer.length} bytes, shorter than a header`);
  const flags = buffer.readUInt16BE(2);
  if ((flags & 0x8000) === 0) throw new MalformedReplyError("the QR bit is not set");
  const counts = [
    buffer.readUInt16BE(4),
    buffer.readUInt16BE(6),
    buffer.readUInt16BE(8),
    buffer.readUInt16BE(10),
  ];
  const reader = new Reader(buffer, 12);
  let questionName: string | undefined;
  let questionType: number | undefined;
  for (let i = 0; i < counts[0]!; i++) {
    const name = reader.name();
    const type = reader.u16();
    reader.u16(); // class
    if (i === 0) [questionName, questionType] = [name, type];
  }
  const section = (count: number): DnsRecord[] => {
    const records: DnsRecord[] = [];
    for (let i = 0; i < count; i++) {
      const record = reader.record();
      if (record !== undefined) records.push(record);
    }
    return records;
  };
  const answers = section(counts[1]!);
  const authority = section(counts[2]!);
  const additional = section(counts[3]!);
  return {
    id: buffer.readUInt16BE(0),
    rcode: flags & 0x000f,
    truncated: (flags & 0x0200) !== 0,
    questionName,
    questionType,
    answers,
    authority,
    additional,
  };
}

/** RFC 2181 §8: a TTL with the top bit set is read as 0. */
const ttlOf = (raw: number): number => (raw > 0x7fffffff ? 0 : raw);

class Reader {
  private readonly buffer: Buffer;
  private at: number;

  constructor(buffer: Buffer, at: number) {
    this.buffer = buffer;
    this.at = at;
  }

  u16(): number {
    this.need(2);
    const value = this.buffer.readUInt16BE(this.at);
    this.at += 2;
    return value;
  }

  u32(): number {
    this.need(4);
    const value = this.buffer.readUInt32BE(this.at);
    this.at += 4;
    return value;
  }

  /** One resource record, or undefined for a type or class this client does not read. */
  record(): DnsRecord | undefined {
    const name = this.name();
    const type = this.u16();
    const klass = this.u16();
    const ttl = ttlOf(this.u32());
    const length = this.u16();
    this.need(length);
    const end = this.at + length;
    let record: DnsRecord | undefined;
    if (klass === CLASS_IN) record = this.data(name, type, ttl, length);
    if (record !== undefined && this.at !== end) {
      throw new MalformedReplyError(
        `a type ${type} record of ${name} has ${length} bytes of data, not ${this.at - (end - length)}`,
      );
    }
    this.at = end;
    return record;
  }

  /** Reads a name at the cursor, following compression pointers (RFC 1035 §4.1.4). */
  name(): string {
    const buffer = this.buffer;
    const labels: string[] = [];
    let at = this.at;
    let resume = -1; // where the cursor goes after the name, once a pointer was followed
    let floor = at; // a pointer must point before the part being read, so a loop cannot form
    let length = 0;
    for (;;) {
      if (at >= buffer.length) throw new MalformedReplyError("a name runs past the end");
      const size = buffer[at]!;
      if (size === 0) {
        at += 1;
        break;
      }
      if ((size & 0xc0) === 0xc0) {
        if (at + 1 >= buffer.length) throw new MalformedReplyError("a name pointer runs past the end");
        const target = ((size & 0x3f) << 8) | buffer[at + 1]!;
        if (target >= floor) throw new MalformedReplyError("a name pointer does not point backwards");
        if (resume < 0) resume = at + 2;
        at = target;
        floor = target;
        continue;
      }
      if ((size & 0xc0) !== 0)
        throw new MalformedReplyError(`a label has the unknown type bits ${size >> 6}`);
      if (at + 1 + size > buffer.length) throw new MalformedReplyError("a label runs past the end");
      length += size + 1;
      if (length > 255) throw new MalformedReplyError("a name is longer than 255 bytes");
      labels.push(buffer.toString("latin1", at + 1, at + 1 + size).toLowerCase());
      at += 1 + size;
    }
    this.at = resume < 0 ? at : resume;
    return labels.join(".");
  }

  private data(name: string, type: number, ttl: number, length: number): DnsRecord | undefined {
    switch (type) {
      case TYPE_A:
        if (length !== 4) throw new MalformedReplyError(`an A record of ${name} has ${length} bytes`);
        this.at += 4;
        return { type, name, ttl, address: this.buffer.subarray(this.at - 4, this.at).join(".") };
      case TYPE_AAAA:
        if (length !== 16) throw new MalformedReplyError(`an AAAA record of ${name} has ${length} bytes`);
        this.at += 16;
        return { type, name, ttl, address: formatIpv6(this.buffer.subarray(this.at - 16, this.at)) };
      case TYPE_SRV: {
        const priority = this.u16();
        const weight = this.u16();
        const port = this.u16();
        return { type, name, ttl, priority, weight, port, target: this.name() };
      }
      case TYPE_CNAME:
        return { type, name, ttl, target: this.name() };
      case TYPE_SOA: {
        this.name(); // primary server
        this.name(); // mailbox
        this.at += 16; // serial, refresh, retry, expire
        return { type, name, ttl, minimum: ttlOf(this.u32()) };
      }
      default:
        return undefined;
    }
  }

  private need(bytes: number): void {
    if (this.at + bytes > this.buffer.length) throw new MalformedReplyError("a record runs past the end");
  }
}

/** The RFC 5952 text of a 16-byte IPv6 address (lower case, the longest run of zeros as `::`). */
export function formatIpv6(bytes: Uint8Array): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  let [bestStart, bestLength] = [-1, 1];
  for (let i = 0; i < 8; ) {
    if (groups[i] !== "0") {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === "0") j++;
    if (j - i > bestLength) [bestStart, bestLength] = [i, j - i];
    i = j;
  }
  if (bestStart < 0) return groups.join(":");
  const head = groups.slice(0, bestStart).join(":");
  const tail = groups.slice(bestStart + bestLength).join(":");
  return `${head}::${tail}`;
}
