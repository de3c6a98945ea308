import type { QueuedRecord } from '../backend.js';

/**
 * FIFO of records with O(1) push and shift (array + head index, compacted lazily), tracking its
 * byte total so the memory bound is checked without walking the queue.
 */
export class RecordQueue {
  private items: (QueuedRecord | undefined)[] = [];
  private head = 0;
  private byteTotal = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  get bytes(): number {
    return this.byteTotal;
  }

  peek(): QueuedRecord | undefined {
    return this.items[this.head];
  }

  push(record: QueuedRecord): void {
    this.items.push(record);
    this.byteTotal += record.bytes;
  }

  shift(): QueuedRecord | undefined {
    if (this.head >= this.items.length) return undefined;
    const record = this.items[this.head];
    this.items[this.head] = undefined;
    this.head++;
    if (record) this.byteTotal -= record.bytes;
    // Compact once the dead prefix dominates, so memory follows the live length.
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return record;
  }

  /** Removes and returns everything, oldest first. */
  drain(): QueuedRecord[] {
    const rest = this.items.slice(this.head) as QueuedRecord[];
    this.items = [];
    this.head = 0;
    this.byteTotal = 0;
    return rest;
  }
}
