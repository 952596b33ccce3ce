import { connectivityState, experimental } from "@grpc/grpc-js";

type State = connectivityState;

/** A subchannel whose state the test sets; it records refs, connects and listeners. */
export class FakeSubchannel {
  state: State = connectivityState.IDLE;
  refs = 0;
  connects = 0;
  readonly listeners = new Set<experimental.ConnectivityStateListener>();
  constructor(readonly address: string) {}

  getConnectivityState(): State {
    return this.state;
  }
  addConnectivityStateListener(listener: experimental.ConnectivityStateListener): void {
    this.listeners.add(listener);
  }
  removeConnectivityStateListener(listener: experimental.ConnectivityStateListener): void {
    this.listeners.delete(listener);
  }
  startConnecting(): void {
    this.connects++;
    if (this.state === connectivityState.IDLE) this.set(connectivityState.CONNECTING);
  }
  getAddress(): string {
    return this.address;
  }
  ref(): void {
    this.refs++;
  }
  unref(): void {
    this.refs--;
  }
  getChannelzRef(): never {
    return { kind: "subchannel", id: 0, name: this.address } as never;
  }
  /** Moves to `next` and tells the listeners, as a real subchannel does. */
  set(next: State, error?: string): void {
    const previous = this.state;
    this.state = next;
    for (const listener of [...this.listeners]) listener(this as never, previous, next, 0, error);
  }
}

/** A channel control helper that hands out fake subchannels and records what the policy publishes. */
export class FakeHelper implements experimental.ChannelControlHelper {
  readonly subchannels = new Map<string, FakeSubchannel>();
  readonly states: { state: State; picker: experimental.Picker; error: string | null }[] = [];
  reresolutions = 0;

  createSubchannel(address: experimental.SubchannelAddress): experimental.SubchannelInterface {
    const key = experimental.subchannelAddressToString(address);
    const subchannel = new FakeSubchannel(key);
    this.subchannels.set(key, subchannel);
    return subchannel as unknown as experimental.SubchannelInterface;
  }
  updateState(state: State, picker: experimental.Picker, error: string | null): void {
    this.states.push({ state, picker, error });
  }
  requestReresolution(): void {
    this.reresolutions++;
  }
  addChannelzChild(): void {}
  removeChannelzChild(): void {}

  /** The subchannel of `address`. */
  at(address: string): FakeSubchannel {
    const found = this.subchannels.get(address);
    if (found === undefined) throw new Error(`no subchannel for ${address}`);
    return found;
  }
  /** The last published state and picker. */
  get last(): { state: State; picker: experimental.Picker; error: string | null } {
    return this.states[this.states.length - 1]!;
  }
}

/** An endpoint list of `host:port` addresses (and endpoints given as they are). */
export function endpoints(
  ...addresses: (string | experimental.Endpoint)[]
): experimental.StatusOr<experimental.Endpoint[]> {
  return experimental.statusOrFromValue(
    addresses.map((a) => {
      if (typeof a !== "string") return a;
      const { host, port } = experimental.splitHostPort(a)!;
      return { addresses: [{ host, port: port! }] };
    }),
  );
}
