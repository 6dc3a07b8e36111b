// A growable array of token ids stored in the narrowest typed array that holds them
// (Uint8 → Uint16 → Int32), so a 100 MB character corpus costs about 100 MB of ids.

export type IdArray = Uint8Array | Uint16Array | Int32Array;

export class IdBuffer {
  private data: IdArray;
  private count = 0;
  private maxId = 0;

  constructor(capacity: number) {
    this.data = new Uint8Array(Math.max(16, capacity));
  }

  get length(): number { return this.count; }

  push(id: number): void {
    if (id > this.maxId) this.widenFor(id);
    if (this.count === this.data.length) this.grow(this.data.length * 2);
    this.data[this.count++] = id;
  }

  /** Rewrites every id through `table` (provisional id → final id); in place when the width allows. */
  remap(table: ArrayLike<number>): void {
    let max = 0;
    for (let i = 0; i < table.length; i++) max = Math.max(max, table[i]);
    if (max <= limitOf(this.data)) {
      for (let i = 0; i < this.count; i++) this.data[i] = table[this.data[i]];
      this.maxId = max;
      return;
    }
    const out = arrayFor(max, this.count);
    for (let i = 0; i < this.count; i++) out[i] = table[this.data[i]];
    this.data = out;
    this.maxId = max;
  }

  /** The ids, trimmed to length (shares memory when already exact). */
  finish(): IdArray {
    return this.data.length === this.count ? this.data : this.data.slice(0, this.count);
  }

  private widenFor(id: number): void {
    this.maxId = id;
    if (id <= limitOf(this.data)) return;
    const wider = arrayFor(id, this.data.length);
    wider.set(this.data.subarray(0, this.count));
    this.data = wider;
  }

  private grow(capacity: number): void {
    const bigger = arrayFor(this.maxId, capacity);
    bigger.set(this.data.subarray(0, this.count));
    this.data = bigger;
  }
}

const limitOf = (a: IdArray): number => (a instanceof Uint8Array ? 0xff : a instanceof Uint16Array ? 0xffff : 0x7fffffff);

function arrayFor(maxId: number, length: number): IdArray {
  return maxId <= 0xff ? new Uint8Array(length) : maxId <= 0xffff ? new Uint16Array(length) : new Int32Array(length);
}
