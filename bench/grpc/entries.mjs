// The entry points measured, each beside grpc-js's own round_robin over the same three servers, in
// the same process. Both sides of a pair make the same call through the same kind of client and
// read the reply the same way; they differ only in the channel: Switchyard's `discovery:///hello`
// (createChannelOptions over the in-process registry) against `ipv4:` with the round_robin policy.
import { p2c } from "@switchyard/balancer-p2c";
import { createMemoryRegistry } from "@switchyard/registry-memory";
import { createChannelOptions } from "@switchyard/transport-grpc";
import { Greeter, grpc } from "./grpc.mjs";

const insecure = grpc.credentials.createInsecure();
const ROUND_ROBIN = {
  "grpc.service_config": JSON.stringify({ loadBalancingConfig: [{ round_robin: {} }] }),
};
const request = { name: "bench" };
const streamRequest = { name: "bench", count: 4 };
// HelloRequest { name: "bench" } as protobuf, for the plain grpc.Client (no serialization work).
const requestBytes = Buffer.from([0x0a, 0x05, ...Buffer.from("bench")]);
const bytes = (value) => value;
const METHOD = "/helloworld.Greeter/SayHello";

/** The channel options of `discovery:///hello` over `addresses`, and what closes its registry. */
async function switchyard(addresses, selector) {
  const registry = createMemoryRegistry();
  for (const [i, address] of addresses.entries()) {
    const endpoints = [`grpc://${address}`];
    await registry.register({ id: `s${i}`, name: "hello", version: "1.0.0", metadata: {}, endpoints });
  }
  const { target, options } = createChannelOptions({
    target: "discovery:///hello",
    discovery: registry,
    selector,
  });
  return { target, options, close: () => registry.close() };
}
const roundRobin = (addresses) => ({ target: `ipv4:${addresses.join(",")}`, options: ROUND_ROBIN });

const unary = (client) => () =>
  new Promise((resolve, reject) => client.sayHello(request, (error) => (error ? reject(error) : resolve())));
const streaming = (client) => () =>
  new Promise((resolve, reject) => {
    const call = client.sayHellos(streamRequest);
    call.on("data", () => {});
    call.on("end", resolve);
    call.on("error", reject);
  });
const plainUnary = (client) => () =>
  new Promise((resolve, reject) =>
    client.makeUnaryRequest(METHOD, bytes, bytes, requestBytes, (error) =>
      error ? reject(error) : resolve(),
    ),
  );

/** A pair of typed Greeter clients, round_robin and Switchyard (`selector`, default wrr). */
async function greeters(addresses, selector, call, what) {
  const rr = roundRobin(addresses);
  const ours = await switchyard(addresses, selector);
  const plain = new Greeter(rr.target, insecure, rr.options);
  const client = new Greeter(ours.target, insecure, ours.options);
  return {
    plain: { label: `grpc-js round_robin, ${what}`, call: call(plain) },
    ours: {
      label: `Switchyard ${selector === undefined ? "wrr (default)" : "p2c"}, ${what}`,
      call: call(client),
    },
    close: async () => {
      plain.close();
      client.close();
      await ours.close();
    },
  };
}

/** name → setup(addresses): { plain: { label, call }, ours: { label, call }, close }. */
export const ENTRIES = {
  unary: (addresses) => greeters(addresses, undefined, unary, "typed client, unary"),
  "server-streaming": (addresses) =>
    greeters(addresses, undefined, streaming, "typed client, server stream of 4"),
  "grpc.Client": async (addresses) => {
    const rr = roundRobin(addresses);
    const ours = await switchyard(addresses, undefined);
    const plain = new grpc.Client(rr.target, insecure, rr.options);
    const client = new grpc.Client(ours.target, insecure, ours.options);
    return {
      plain: { label: "grpc-js round_robin, `grpc.Client` unary", call: plainUnary(plain) },
      ours: { label: "`createChannelOptions()` on a `grpc.Client`, unary", call: plainUnary(client) },
      close: async () => {
        plain.close();
        client.close();
        await ours.close();
      },
    };
  },
  "unary, p2c": (addresses) => greeters(addresses, p2c(), unary, "typed client, unary"),
  "A/A": async (addresses) => {
    const rr = roundRobin(addresses);
    const a = new Greeter(rr.target, insecure, rr.options);
    const b = new Greeter(rr.target, insecure, rr.options);
    return {
      plain: { label: "grpc-js round_robin, typed client, unary", call: unary(a) },
      ours: { label: "another round_robin client", call: unary(b) },
      close: async () => {
        a.close();
        b.close();
      },
    };
  },
};
