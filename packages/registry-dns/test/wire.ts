// Builds DNS replies byte by byte for the tests of what real servers rarely send: an SOA in a
// negative answer, CNAME chains, truncation, compression pointers, malformed records.

/** A record to encode; names without the trailing dot. */
export type TestRecord =
  | { readonly type: "A" | "AAAA"; readonly name: string; readonly ttl?: number; readonly address: string }
  | {
      readonly type: "SRV";
      readonly name: string;
      readonly ttl?: number;
      readonly priority?: number;
      readonly weight?: number;
      readonly port: number;
      readonly target: string;
    }
  | { readonly type: "CNAME"; readonly name: string; readonly ttl?: number; readonly target: string }
  | { readonly type: "SOA"; readonly name: string; readonly ttl?: number; readonly minimum: number }
  | { readonly type: "TXT"; readonly name: string; readonly ttl?: number; readonly text: string };

export interface TestReply {
  readonly id: number;
  readonly name: string;
  readonly qtype: number;
  readonly rcode?: number;
  readonly truncated?: boolean;
  readonly answers?: readonly TestRecord[];
  readonly authority?: readonly TestRecord[];
  readonly additional?: readonly TestRecord[];
}

const TYPES = { A: 1, CNAME: 5, SOA: 6, TXT: 16, AAAA: 28, SRV: 33 } as const;

export function encodeName(name: string): Buffer {
  const parts = name === "" ? [] : name.split(".");
  return Buffer.concat([
    ...parts.map((label) => Buffer.concat([Buffer.from([label.length]), Buffer.from(label, "latin1")])),
    Buffer.from([0]),
  ]);
}

function u16(value: number): Buffer {
  const buffer = Buffer.alloc(2);
  buffer.writeUInt16BE(value);
  return buffer;
}

function u32(value: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32BE(value);
  return buffer;
}

function ipv6Bytes(address: string): Buffer {
  const [head, tail] = address.includes("::") ? address.split("::") : [address, undefined];
  const left = head === "" || head === undefined ? [] : head.split(":");
  const right = tail === undefined || tail === "" ? [] : tail.split(":");
  const groups =
    tail === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill("0"), ...right];
  return Buffer.concat(groups.map((group) => u16(Number.parseInt(group, 16))));
}

function rdata(record: TestRecord): Buffer {
  switch (record.type) {
    case "A":
      return Buffer.from(record.address.split(".").map(Number));
    case "AAAA":
      return ipv6Bytes(record.address);
    case "SRV":
      return Buffer.concat([
        u16(record.priority ?? 0),
        u16(record.weight ?? 0),
        u16(record.port),
        encodeName(record.target),
      ]);
    case "CNAME":
      return encodeName(record.target);
    case "SOA":
      return Buffer.concat([
        encodeName("ns.test"),
        encodeName("hostmaster.test"),
        u32(1),
        u32(3600),
        u32(600),
        u32(86400),
        u32(record.minimum),
      ]);
    case "TXT":
      return Buffer.concat([Buffer.from([record.text.length]), Buffer.from(record.text)]);
  }
}

export function encodeRecord(record: TestRecord): Buffer {
  const data = rdata(record);
  return Buffer.concat([
    encodeName(record.name),
    u16(TYPES[record.type]),
    u16(1),
    u32(record.ttl ?? 60),
    u16(data.length),
    data,
  ]);
}

export function encodeReply(reply: TestReply): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(reply.id, 0);
  header.writeUInt16BE(0x8180 | (reply.truncated ? 0x0200 : 0) | (reply.rcode ?? 0), 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(reply.answers?.length ?? 0, 6);
  header.writeUInt16BE(reply.authority?.length ?? 0, 8);
  header.writeUInt16BE(reply.additional?.length ?? 0, 10);
  const question = Buffer.concat([encodeName(reply.name), u16(reply.qtype), u16(1)]);
  const records = [...(reply.answers ?? []), ...(reply.authority ?? []), ...(reply.additional ?? [])];
  return Buffer.concat([header, question, ...records.map(encodeRecord)]);
}

/** The id, name and type of a query. */
export function readQuery(message: Buffer): { id: number; name: string; qtype: number } {
  const labels: string[] = [];
  let at = 12;
  while (message[at]! !== 0) {
    const size = message[at]!;
    labels.push(message.toString("latin1", at + 1, at + 1 + size));
    at += 1 + size;
  }
  return { id: message.readUInt16BE(0), name: labels.join("."), qtype: message.readUInt16BE(at + 1) };
}
