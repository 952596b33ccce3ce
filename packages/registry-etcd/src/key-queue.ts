const noop = (): void => {};

/**
 * Runs tasks one after another per key: a task starts once every earlier task on its key has
 * settled, so a register and a deregister of one instance never interleave. Keys are forgotten
 * when their queue empties.
 */
export class KeyQueue {
  private readonly tails = new Map<string, Promise<void>>();

  /** Runs `task` after the earlier tasks of `key`; settles as `task` does. */
  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const result = (this.tails.get(key) ?? Promise.resolve()).then(task);
    const tail = result.then(noop, noop);
    this.tails.set(key, tail);
    tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }
}
