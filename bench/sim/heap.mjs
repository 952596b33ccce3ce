// A binary min-heap of events ordered by (due, seq): the simulator's future event list. Events are
// plain objects with numeric `due` (virtual ms) and `seq` (insertion order, which breaks ties so a
// run never depends on the heap's internal layout).

export class EventHeap {
  constructor() {
    /** @type {{ due: number, seq: number }[]} */
    this.items = [];
    this.seq = 0;
  }

  get size() {
    return this.items.length;
  }

  /** Due time of the earliest event, or Infinity when empty. */
  peekDue() {
    return this.items.length === 0 ? Number.POSITIVE_INFINITY : this.items[0].due;
  }

  push(event) {
    event.seq = this.seq++;
    const items = this.items;
    let i = items.length;
    items.push(event);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = items[parent];
      if (p.due < event.due || (p.due === event.due && p.seq < event.seq)) break;
      items[i] = p;
      i = parent;
    }
    items[i] = event;
  }

  pop() {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    const size = items.length;
    if (size === 0) return top;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= size) break;
      const right = child + 1;
      if (right < size && earlier(items[right], items[child])) child = right;
      if (!earlier(items[child], last)) break;
      items[i] = items[child];
      i = child;
    }
    items[i] = last;
    return top;
  }
}

function earlier(a, b) {
  return a.due < b.due || (a.due === b.due && a.seq < b.seq);
}
