// The entry points measured, each beside its plain-undici counterpart. Every side sends GET / and
// reads the whole reply the same way as its counterpart (`body.dump()` for request-shaped calls,
// `arrayBuffer()` for fetch), so the two sides of a pair differ only in what sends the request.
//
// The plain sides are the cheapest honest use of undici: a `Pool` per server asked with
// `pool.request({ origin, path, method })`, which parses no URL. `request(url, { dispatcher })` and
// `fetch(url, { dispatcher })` parse the same URL on both sides of their pair (a `Pool` sends to its
// own origin whatever the URL's host, as our dispatcher sends to the node it picks): a host such as
// 127.0.0.1:port costs more to parse than a name, which would credit the difference to the dispatcher.
import { p2c } from "@switchyard/balancer-p2c";
import { wrr } from "@switchyard/balancer-wrr";
import { createMemoryRegistry } from "@switchyard/registry-memory";
import { createClient } from "@switchyard/transport-http";
import { BalancedPool, fetch, Pool, request } from "undici";

/** A client of `discovery:///hello` over the first `count` servers. */
async function switchyard(origins, count, selector) {
  const registry = createMemoryRegistry();
  for (const [i, origin] of origins.slice(0, count).entries()) {
    await registry.register({
      id: `s${i}`,
      name: "hello",
      version: "1.0.0",
      metadata: {},
      endpoints: [origin],
    });
  }
  const client = await createClient({
    endpoint: "discovery:///hello",
    discovery: registry,
    selector,
    block: true,
  });
  return { client, close: () => client.close().then(() => registry.close()) };
}

const dumpBody = async (reply) => {
  await reply.body.dump();
};
const readBody = async (res) => {
  await res.arrayBuffer();
};

/**
 * name → setup(origins): { plain: { label, call }, ours: { label, call }, close }. `call` sends one
 * request and reads its reply.
 */
/** `client.request()` with `selector` over the three servers, beside undici's `BalancedPool`. */
async function againstBalancedPool(origins, name, selector) {
  const pool = new BalancedPool(origins);
  const ours = await switchyard(origins, 3, selector);
  return {
    plain: {
      label: "undici `BalancedPool.request()`",
      call: () => pool.request({ path: "/", method: "GET" }).then(dumpBody),
    },
    ours: { label: `\`client.request()\`, ${name}`, call: () => ours.client.request("/").then(dumpBody) },
    close: () => Promise.all([pool.close(), ours.close()]),
  };
}

export const ENTRIES = {
  "client.request": async (origins) => {
    const origin = origins[0];
    const pool = new Pool(origin);
    const ours = await switchyard(origins, 1, wrr());
    return {
      plain: {
        label: "undici `Pool.request()`",
        call: () => pool.request({ origin, path: "/", method: "GET" }).then(dumpBody),
      },
      ours: { label: "`client.request()`", call: () => ours.client.request("/").then(dumpBody) },
      close: () => Promise.all([pool.close(), ours.close()]),
    };
  },
  "request(url)": async (origins) => {
    const url = "http://hello/";
    const pool = new Pool(origins[0]);
    const ours = await switchyard(origins, 1, wrr());
    const dispatcher = ours.client.dispatcher;
    return {
      plain: {
        label: "`request(url, { dispatcher: pool })`",
        call: () => request(url, { dispatcher: pool }).then(dumpBody),
      },
      ours: {
        label: "`request(url, { dispatcher })`",
        call: () => request(url, { dispatcher }).then(dumpBody),
      },
      close: () => Promise.all([pool.close(), ours.close()]),
    };
  },
  "fetch(url)": async (origins) => {
    const url = "http://hello/";
    const pool = new Pool(origins[0]);
    const ours = await switchyard(origins, 1, wrr());
    const dispatcher = ours.client.dispatcher;
    return {
      plain: {
        label: "`fetch(url, { dispatcher: pool })`",
        call: () => fetch(url, { dispatcher: pool }).then(readBody),
      },
      ours: { label: "`fetch(url, { dispatcher })`", call: () => fetch(url, { dispatcher }).then(readBody) },
      close: () => Promise.all([pool.close(), ours.close()]),
    };
  },
  "wrr, 3 servers": (origins) => againstBalancedPool(origins, "wrr", wrr()),
  "p2c, 3 servers": (origins) => againstBalancedPool(origins, "p2c", p2c()),
  "A/A": async (origins) => {
    const [a, b] = [new Pool(origins[0]), new Pool(origins[0])];
    const origin = origins[0];
    return {
      plain: {
        label: "undici `Pool.request()`",
        call: () => a.request({ origin, path: "/", method: "GET" }).then(dumpBody),
      },
      ours: {
        label: "another `Pool.request()`",
        call: () => b.request({ origin, path: "/", method: "GET" }).then(dumpBody),
      },
      close: () => Promise.all([a.close(), b.close()]),
    };
  },
};
