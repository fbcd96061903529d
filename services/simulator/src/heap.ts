/** What the scheduler orders: the time of an item's next event, ties broken by creation order. */
export interface Scheduled {
  at: number;
  seq: number;
}

/** A binary min-heap on (at, seq): the scheduler's queue of active sessions. */
export class MinHeap<T extends Scheduled> {
  private readonly items: T[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  push(item: T): void {
    const items = this.items;
    let i = items.length;
    items.push(item);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = items[parent]!;
      if (!before(item, p)) break;
      items[i] = p;
      i = parent;
    }
    items[i] = item;
  }

  /** Removes the top; call after changing the top's `at` to re-insert it cheaply with `replaceTop`. */
  pop(): T | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last) this.siftDown(last);
    return top;
  }

  /** Re-positions the top item after its `at` moved later (one sift instead of pop + push). */
  replaceTop(item: T): void {
    this.siftDown(item);
  }

  private siftDown(item: T): void {
    const items = this.items;
    const n = items.length;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      const right = child + 1;
      if (right < n && before(items[right]!, items[child]!)) child = right;
      if (!before(items[child]!, item)) break;
      items[i] = items[child]!;
      i = child;
    }
    items[i] = item;
  }
}

function before(a: Scheduled, b: Scheduled): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}
