// The cost of one pick, without the network: grpc-js's round_robin picker against the Switchyard
// picker (pick, onCallStarted, onCallEnded with trailers, the selector's done) over three READY
// fake subchannels, each policy driven through grpc-js's own ChildLoadBalancerHandler as a
// channel drives it. Medians of mitata's per-batch samples, and the bytes allocated per call;
// run.mjs measures whole calls.

import { p2c } from "@switchyard/balancer-p2c";
import { wrr } from "@switchyard/balancer-wrr";
import { createChannelOptions } from "@switchyard/transport-grpc";
import { measure } from "mitata";
import { heapMeter } from "../pairs/measure.mjs";
import { grpc } from "./grpc.mjs";

const { experimental, connectivityState, Metadata } = grpc;
const quick = process.argv.includes("--quick");

/** A subchannel that is READY once connected, and does nothing else. */
class FakeSubchannel {
  constructor(address) {
    this.address = address;
    this.state = connectivityState.IDLE;
    this.listeners = new Set();
  }
  getConnectivityState() {
    return this.state;
  }
  addConnectivityStateListener(listener) {
    this.listeners.add(listener);
  }
  removeConnectivityStateListener(listener) {
    this.listeners.delete(listener);
  }
  startConnecting() {
    if (this.state !== connectivityState.IDLE) return;
    this.move(connectivityState.CONNECTING);
    setImmediate(() => this.move(connectivityState.READY));
  }
  move(next) {
    const previous = this.state;
    this.state = next;
    for (const listener of [...this.listeners]) listener(this, previous, next, 0);
  }
  getAddress() {
    return this.address;
  }
  throttleKeepalive() {}
  ref() {}
  unref() {}
  getChannelzRef() {
    return { kind: "subchannel", id: 0, name: this.address };
  }
  isHealthy() {
    return true;
  }
  addHealthStateWatcher() {}
  removeHealthStateWatcher() {}
  addDataWatcher() {}
  getRealSubchannel() {
    return this;
  }
  realSubchannelEquals(other) {
    return other === this;
  }
}

/** The READY picker a policy publishes over three fake subchannels. */
async function readyPicker(config, options) {
  let picker;
  const helper = {
    createSubchannel: (address) => new FakeSubchannel(experimental.subchannelAddressToString(address)),
    updateState: (state, next) => {
      if (state === connectivityState.READY) picker = next;
    },
    requestReresolution() {},
    addChannelzChild() {},
    removeChannelzChild() {},
  };
  const handler = new experimental.ChildLoadBalancerHandler(helper);
  const endpoints = [1, 2, 3].map((i) => ({ addresses: [{ host: `10.0.0.${i}`, port: 50051 }] }));
  handler.updateAddressList(experimental.statusOrFromValue(endpoints), config, options, "");
  await new Promise((resolve) => setTimeout(resolve, 10));
  if (picker === undefined) throw new Error("picker.mjs: the policy published no READY picker");
  return picker;
}

const args = {
  metadata: new Metadata(),
  extraPickInfo: { "switchyard.method": "/helloworld.Greeter/SayHello" },
};
const trailers = new Metadata();
const switchyard = async (selector) => {
  const { options } = createChannelOptions({ target: "bench:50051", selector });
  return readyPicker(experimental.parseLoadBalancingConfig({ switchyard: {} }), options);
};
const cases = [
  [
    "grpc-js round_robin: pick",
    await readyPicker(experimental.parseLoadBalancingConfig({ round_robin: {} }), {}),
  ],
  ["switchyard wrr: pick + call bookkeeping + done", await switchyard(wrr())],
  ["switchyard p2c: pick + call bookkeeping + done", await switchyard(p2c())],
];

/** Bytes allocated on the heap per `op`, over `count` runs after a warm-up. */
function bytesPerOp(op, count) {
  for (let i = 0; i < 20_000; i++) op();
  const stop = heapMeter();
  for (let i = 0; i < count; i++) op();
  return stop() / count;
}

console.log(`Cost of one pick over 3 READY subchannels (Node ${process.version})\n`);
console.log("| picker | ns per call (p50) | bytes per call |");
console.log("| --- | ---: | ---: |");
for (const [name, picker] of cases) {
  const op = () => {
    const result = picker.pick(args);
    result.onCallStarted?.();
    result.onCallEnded?.(0, "OK", trailers);
  };
  const stats = await measure(op, { min_cpu_time: (quick ? 50 : 500) * 1e6, batch_samples: 1024 });
  const bytes = bytesPerOp(op, quick ? 20_000 : 200_000);
  console.log(`| ${name} | ${stats.p50.toFixed(0)} | ${Math.max(0, bytes).toFixed(0)} |`);
}
