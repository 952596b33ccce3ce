import { describe, expect, it } from "vitest";
import { decodeReply, formatIpv6 } from "../src/decode.js";
import {
  encodeQuery,
  MalformedReplyError,
  TYPE_A,
  TYPE_AAAA,
  TYPE_SRV,
  UDP_PAYLOAD,
} from "../src/message.js";
import { encodeName, encodeRecord, encodeReply, readQuery } from "./wire.js";

describe("encodeQuery", () => {
  it("asks one recursive question and offers an EDNS0 payload of 1232 bytes", () => {
    const query = encodeQuery(0xbeef, "_grpc._tcp.api.test", TYPE_SRV);
    expect(query.readUInt16BE(0)).toBe(0xbeef);
    expect(query.readUInt16BE(2)).toBe(0x0100); // RD
    expect([
      query.readUInt16BE(4),
      query.readUInt16BE(6),
      query.readUInt16BE(8),
      query.readUInt16BE(10),
    ]).toEqual([1, 0, 0, 1]);
    expect(readQuery(query)).toEqual({ id: 0xbeef, name: "_grpc._tcp.api.test", qtype: TYPE_SRV });
    const opt = query.subarray(12 + encodeName("_grpc._tcp.api.test").length + 4);
    expect([...opt]).toEqual([0, 0, 41, UDP_PAYLOAD >> 8, UDP_PAYLOAD & 0xff, 0, 0, 0, 0, 0, 0]);
  });
});

describe("decodeReply", () => {
  it("reads SRV, A, AAAA, CNAME and SOA records with their TTLs, names in lower case", () => {
    const reply = decodeReply(
      encodeReply({
        id: 7,
        name: "_HTTP._tcp.Api.test",
        qtype: TYPE_SRV,
        answers: [
          {
            type: "SRV",
            name: "_HTTP._tcp.Api.test",
            ttl: 30,
            priority: 1,
            weight: 5,
            port: 8080,
            target: "A.api.test",
          },
          { type: "CNAME", name: "x.test", ttl: 9, target: "y.test" },
        ],
        authority: [{ type: "SOA", name: "test", ttl: 50, minimum: 20 }],
        additional: [
          { type: "A", name: "a.api.test", ttl: 12, address: "10.0.0.5" },
          { type: "AAAA", name: "a.api.test", ttl: 13, address: "fd00::5" },
        ],
      }),
    );
    expect(reply).toMatchObject({ id: 7, rcode: 0, truncated: false, questionName: "_http._tcp.api.test" });
    expect(reply.answers).toEqual([
      {
        type: TYPE_SRV,
        name: "_http._tcp.api.test",
        ttl: 30,
        priority: 1,
        weight: 5,
        port: 8080,
        target: "a.api.test",
      },
      { type: 5, name: "x.test", ttl: 9, target: "y.test" },
    ]);
    expect(reply.authority).toEqual([{ type: 6, name: "test", ttl: 50, minimum: 20 }]);
    expect(reply.additional).toEqual([
      { type: TYPE_A, name: "a.api.test", ttl: 12, address: "10.0.0.5" },
      { type: TYPE_AAAA, name: "a.api.test", ttl: 13, address: "fd00::5" },
    ]);
  });

  it("reads the rcode and the TC bit, and skips record types it does not use", () => {
    const reply = decodeReply(
      encodeReply({
        id: 1,
        name: "a.test",
        qtype: TYPE_A,
        rcode: 3,
        truncated: true,
        answers: [{ type: "TXT", name: "a.test", text: "hello" }],
      }),
    );
    expect(reply).toMatchObject({ rcode: 3, truncated: true, answers: [] });
  });

  it("reads a TTL with the top bit set as 0 (RFC 2181)", () => {
    const reply = decodeReply(
      encodeReply({
        id: 1,
        name: "a.test",
        qtype: TYPE_A,
        answers: [{ type: "A", name: "a.test", ttl: 0x80000000, address: "1.2.3.4" }],
      }),
    );
    expect(reply.answers[0]?.ttl).toBe(0);
  });

  it("follows compression pointers", () => {
    // Question a.api.test at offset 12; the answer's name is a pointer to it, the SRV target is
    // "b" followed by a pointer to "api.test" inside the question.
    const question = Buffer.concat([encodeName("a.api.test"), Buffer.from([0, 33, 0, 1])]);
    const rdata = Buffer.from([0, 1, 0, 2, 0x1f, 0x90, 1, 0x62, 0xc0, 14]);
    const answer = Buffer.concat([Buffer.from([0xc0, 12, 0, 33, 0, 1, 0, 0, 0, 60, 0, rdata.length]), rdata]);
    const header = Buffer.from([0, 1, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0]);
    const reply = decodeReply(Buffer.concat([header, question, answer]));
    expect(reply.answers).toEqual([
      {
        type: TYPE_SRV,
        name: "a.api.test",
        ttl: 60,
        priority: 1,
        weight: 2,
        port: 8080,
        target: "b.api.test",
      },
    ]);
  });

  const header = (answers: number) => Buffer.from([0, 1, 0x81, 0x80, 0, 0, 0, answers, 0, 0, 0, 0]);

  it.each([
    ["a reply shorter than a header", Buffer.from([0, 1, 0x81])],
    ["a query (QR bit clear)", Buffer.from([0, 1, 0x01, 0x00, 0, 0, 0, 0, 0, 0, 0, 0])],
    ["a pointer that points forwards", Buffer.concat([header(1), Buffer.from([0xc0, 14, 0, 0])])],
    ["a pointer to itself", Buffer.concat([header(1), Buffer.from([0xc0, 12])])],
    [
      "two pointers that point at each other",
      Buffer.concat([header(1), Buffer.from([1, 0x61, 0xc0, 12])]), // a → pointer back to a
    ],
    ["a name that runs past the end", Buffer.concat([header(1), Buffer.from([5, 0x61])])],
    [
      "a record whose data runs past the end",
      Buffer.concat([header(1), Buffer.from([0, 0, 1, 0, 1, 0, 0, 0, 1, 0, 4, 1])]),
    ],
    [
      "an A record of 5 bytes",
      Buffer.concat([header(1), Buffer.from([0, 0, 1, 0, 1, 0, 0, 0, 1, 0, 5, 1, 2, 3, 4, 5])]),
    ],
    ["a label with the reserved type bits", Buffer.concat([header(1), Buffer.from([0x41, 0])])],
    [
      "an SRV record whose target runs beyond its data length",
      Buffer.concat([
        header(1),
        Buffer.from([0, 0, 33, 0, 1, 0, 0, 0, 1, 0, 7, 0, 0, 0, 0, 0, 80, 1, 0x61, 0]),
      ]),
    ],
  ])("refuses %s", (_, bytes) => {
    expect(() => decodeReply(bytes)).toThrow(MalformedReplyError);
  });

  it("refuses a name longer than 255 bytes", () => {
    const long = Array.from({ length: 5 }, () => "a".repeat(63)).join(".");
    const bytes = Buffer.concat([header(1), encodeRecord({ type: "A", name: long, address: "1.2.3.4" })]);
    expect(() => decodeReply(bytes)).toThrow(/longer than 255/);
  });
});

describe("formatIpv6", () => {
  it.each([
    ["::1", "0000:0000:0000:0000:0000:0000:0000:0001"],
    ["::", "0000:0000:0000:0000:0000:0000:0000:0000"],
    ["fd00::5", "fd00:0000:0000:0000:0000:0000:0000:0005"],
    ["2001:db8::1:0:0:1", "2001:0db8:0000:0000:0001:0000:0000:0001"], // the first of two equal runs
    ["2001:db8:0:1:1:1:1:1", "2001:0db8:0000:0001:0001:0001:0001:0001"], // one zero group stays
    ["fe80::", "fe80:0000:0000:0000:0000:0000:0000:0000"],
    ["::ffff:7f00:1", "0000:0000:0000:0000:0000:ffff:7f00:0001"],
  ])("writes %s in RFC 5952 form", (expected, full) => {
    const bytes = Buffer.from(full.replaceAll(":", ""), "hex");
    expect(formatIpv6(bytes)).toBe(expected);
    expect(new URL(`http://[${expected}]/`).hostname).toBe(`[${expected}]`); // as URLs write it
  });
});
