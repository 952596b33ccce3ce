import { RegistryError, type TimerHandle } from "@switchyard/api";
import { type Backoff, createBackoff } from "@switchyard/kit";
import type { Etcd3, Lease } from "etcd3";
import { toRegistryError } from "./errors.js";
import { warn } from "./report.js";
import type { Settings } from "./settings.js";
import { raceSignal } from "./signals.js";

/** What a registration needs from its registry. */
export interface RegistrationDeps {
  readonly client: Etcd3;
  readonly settings: Settings;
  readonly endpoints: readonly string[];
}

const ignore = (): void => {};

/**
 * One instance this process registered: its key, attached to a lease of its own that etcd3 keeps
 * alive. When etcd3 reports the lease `lost` (etcd answered that it expired, or no keep-alive got
 * through for twice the TTL: etcd was down or the network cut), the instance is registered again
 * under a new lease, retried with backoff until it holds or the registration stops; then the lost
 * lease is revoked, in case etcd still has it. One re-registration runs at a time.
 */
export class Registration {
  readonly key: string;
  private readonly deps: RegistrationDeps;
  private readonly label: string;
  private readonly backoff: Backoff;
  private value: string;
  /** The live lease holding the key; none while the key is being registered again. */
  private lease: Lease | undefined = undefined;
  /** A lost lease, revoked once the key is held again. */
  private lost: Lease | undefined = undefined;
  /** The re-registration in flight. */
  private renewal: Promise<void> | undefined = undefined;
  /** A lease a re-registration obtained after `stop()`: stop revokes it. */
  private late: Lease | undefined = undefined;
  private timer: TimerHandle | undefined = undefined;
  private stopped = false;

  /** `label` names the instance in messages, such as `instance "a-1" of "api"`. */
  constructor(deps: RegistrationDeps, key: string, value: string, label: string) {
    this.deps = deps;
    this.key = key;
    this.value = value;
    this.label = label;
    this.backoff = createBackoff(deps.settings.backoff, "etcd: backoff");
  }

  /**
   * Grants the lease and puts the key under it.
   * @throws RegistryError when either fails, or the signal's reason when it aborts; the lease is
   * then revoked (once granted), so nothing stays behind.
   */
  async start(signal: AbortSignal | undefined): Promise<void> {
    const attempt = this.establish();
    try {
      const lease = await raceSignal(attempt, signal);
      if (this.stopped) {
        const why = `etcd: registering ${this.label} was abandoned: the registry was closed meanwhile`;
        throw new RegistryError(why, { retryable: false });
      }
      this.lease = lease;
    } catch (error) {
      this.stopped = true;
      attempt.then((lease) => this.revoke(lease), ignore);
      throw this.failure(error, signal, `registering ${this.label}`);
    }
  }

  /**
   * Writes new content for the instance: under the lease it holds, or, while its lease is lost,
   * by registering it again at once.
   * @throws RegistryError when that fails (a lost lease is still retried in the background); the
   * signal's reason when it aborts.
   */
  async update(value: string, signal: AbortSignal | undefined): Promise<void> {
    this.value = value;
    const lease = this.lease;
    try {
      await raceSignal(lease === undefined ? this.renewNow() : this.put(lease), signal);
    } catch (error) {
      throw this.failure(error, signal, `${lease === undefined ? "registering" : "updating"} ${this.label}`);
    }
  }

  /**
   * Stops keeping the instance alive at once, then deletes its key and revokes its lease (waiting
   * for a re-registration in flight, so that nothing it writes outlives this).
   * @throws RegistryError when etcd cannot be reached (the key then goes when the lease expires);
   * the signal's reason when it aborts.
   */
  async stop(signal: AbortSignal | undefined): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) this.deps.settings.clock.clearTimeout(this.timer);
    const lease = this.lease;
    this.lease = undefined;
    lease?.release(); // no more keep-alives, whatever happens next
    const renewal = this.renewal;
    const work = async () => {
      await renewal?.catch(ignore);
      await this.deps.client.kv.deleteRange({ key: Buffer.from(this.key) }, { deadline: this.deadline() });
      const leases = [lease, this.late, this.lost].filter((held) => held !== undefined);
      await Promise.all(leases.map((held) => held.revoke({ deadline: this.deadline() })));
    };
    const what = `deregistering ${this.label} (no longer kept alive: etcd drops it within ${this.deps.settings.ttlSeconds} s)`;
    await raceSignal(work(), signal).catch((error: unknown) => {
      throw this.failure(error, signal, what);
    });
  }

  private async establish(): Promise<Lease> {
    const lease = this.deps.client.lease(this.deps.settings.ttlSeconds, { deadline: this.deadline() });
    lease.on("lost", (error: Error) => this.onLost(lease, error));
    try {
      await this.put(lease);
    } catch (error) {
      this.revoke(lease);
      throw error;
    }
    return lease;
  }

  private async put(lease: Lease): Promise<void> {
    const id = await lease.grant();
    const request = { key: Buffer.from(this.key), value: Buffer.from(this.value), lease: id };
    await this.deps.client.kv.put(request, { deadline: this.deadline() });
  }

  private onLost(lease: Lease, error: Error): void {
    if (this.stopped || lease !== this.lease) return;
    this.lease = undefined;
    this.lost = lease;
    const message = `etcd: the lease of ${this.label} was lost (${error.message}); registering it again`;
    warn(this.deps.settings, message, { key: this.key });
    this.renewNow().catch(ignore);
  }

  /** Tries to register again now, or joins the try in flight; a failure schedules the next one. */
  private renewNow(): Promise<void> {
    if (this.timer !== undefined) this.deps.settings.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.renewal ??= this.establish().then(
      (lease) => {
        this.renewal = undefined;
        this.renewed(lease);
      },
      (error: unknown) => {
        this.renewal = undefined;
        if (!this.stopped) this.scheduleRenewal(error);
        throw error;
      },
    );
    return this.renewal;
  }

  private renewed(lease: Lease): void {
    if (this.stopped) {
      lease.release();
      this.late = lease;
      return;
    }
    this.lease = lease;
    this.backoff.reset();
    const lost = this.lost;
    this.lost = undefined;
    // The lost lease no longer holds the key; revoke it in case etcd still has it (it kept it
    // through a restart, say), then report.
    const revoked =
      lost === undefined ? Promise.resolve() : lost.revoke({ deadline: this.deadline() }).catch(ignore);
    revoked.then(() => {
      warn(this.deps.settings, `etcd: ${this.label} is registered again under a new lease`, {
        key: this.key,
      });
    });
  }

  private scheduleRenewal(error: unknown): void {
    const delay = this.backoff.next();
    const failure = toRegistryError(error, `registering ${this.label} again`, this.deps);
    warn(this.deps.settings, `${failure.message}; retrying in ${Math.round(delay)} ms`, {
      key: this.key,
    });
    this.timer = this.deps.settings.clock.setTimeout(() => {
      this.timer = undefined;
      this.renewNow().catch(ignore);
    }, delay);
  }

  /** The error to throw for a failed call: the signal's reason when it aborted, else a RegistryError. */
  private failure(error: unknown, signal: AbortSignal | undefined, what: string): unknown {
    if (signal?.aborted && error === signal.reason) return error;
    return toRegistryError(error, what, this.deps);
  }

  /** Revokes a lease in the background; a failure only means etcd lets it expire. */
  private revoke(lease: Lease): void {
    lease.revoke({ deadline: this.deadline() }).catch(ignore);
  }

  private deadline(): number {
    return Date.now() + this.deps.settings.requestTimeoutMs;
  }
}
