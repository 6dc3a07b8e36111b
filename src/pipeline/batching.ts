// Minibatches for training and evaluation.
// lm: truncated BPTT over B contiguous streams (the corpus cut in B equal parts), windows of T
// tokens, state carried from window to window and reset when the streams wrap around.
// tag / classify: seeded shuffle per epoch, B sequences padded to the longest, with lengths.
//
// T = window / longest sequence, B = batch. Token and target buffers are time-major (T, B).
import type { Rng } from '../engine/rng';
import type { IdArray } from './idBuffer';
import { PAD } from './tokenizer';

export interface LmWindow {
  readonly tokens: Int32Array;      // (T, B) inputs x<t>
  readonly targets: Int32Array;     // (T, B) the next token, x<t+1>
  readonly T: number;
  readonly B: number;
  readonly resetState: boolean;     // first window of an epoch: start from a zero state
}

/** Cuts `ids` into B streams of windows of T (both shrunk for a corpus too small for them). */
export class LmWindows {
  readonly T: number;
  readonly B: number;
  readonly windowsPerEpoch: number;
  private readonly streamLength: number;
  private readonly tokens: Int32Array;
  private readonly targets: Int32Array;
  private next = 0;                  // window index within the epoch

  constructor(private readonly ids: IdArray, batchSize: number, sequenceLength: number) {
    const usable = ids.length - 1;
    if (usable < 1) throw new Error(`the corpus has ${ids.length} token(s); a language model needs at least 2`);
    this.B = Math.max(1, Math.min(batchSize, Math.floor(usable / Math.min(sequenceLength, usable))));
    this.streamLength = Math.floor(usable / this.B);
    this.T = Math.min(sequenceLength, this.streamLength);
    this.windowsPerEpoch = Math.floor(this.streamLength / this.T);
    this.tokens = new Int32Array(this.T * this.B);
    this.targets = new Int32Array(this.T * this.B);
  }

  get tokensPerWindow(): number { return this.T * this.B; }

  /** Window `position` in [0, windowsPerEpoch) of the epoch (buffers reused between calls). */
  window(position: number): LmWindow {
    const { T, B, ids, streamLength } = this;
    for (let b = 0; b < B; b++) {
      const base = b * streamLength + position * T;
      for (let t = 0; t < T; t++) {
        this.tokens[t * B + b] = ids[base + t];
        this.targets[t * B + b] = ids[base + t + 1];
      }
    }
    return { tokens: this.tokens, targets: this.targets, T, B, resetState: position === 0 };
  }

  /** The training order: windows in sequence, wrapping to a new epoch. */
  nextWindow(): { window: LmWindow; epochEnded: boolean } {
    const window = this.window(this.next);
    this.next = (this.next + 1) % this.windowsPerEpoch;
    return { window, epochEnded: this.next === 0 };
  }

  get position(): number { return this.next; }
  set position(p: number) { this.next = p % this.windowsPerEpoch; }
}

export interface Example {
  readonly ids: Int32Array;         // (T_i) token ids
  readonly labels?: Int32Array;     // tag: (T_i) one label id per token
  readonly label?: number;          // classify: one class
}

export interface SequenceBatch {
  readonly tokens: Int32Array;      // (T, B), PAD after each sequence's length
  readonly lengths: Int32Array;     // (B)
  readonly T: number;
  readonly B: number;
  readonly tokenTargets: Int32Array; // (T, B) tag label ids; -1 on padding (empty for classify)
  readonly classTargets: Int32Array; // (B) classify labels (empty for tag)
  readonly mask: Uint8Array;        // (T, B) 1 on real tokens
}

/** Pads examples[from..from+B) into one batch. */
export function padBatch(examples: readonly Example[]): SequenceBatch {
  const B = examples.length;
  const T = Math.max(...examples.map((e) => e.ids.length));
  const tokens = new Int32Array(T * B).fill(PAD);
  const tokenTargets = new Int32Array(examples[0].labels ? T * B : 0).fill(-1);
  const classTargets = new Int32Array(examples[0].label !== undefined ? B : 0);
  const mask = new Uint8Array(T * B);
  const lengths = new Int32Array(B);
  examples.forEach((e, b) => {
    lengths[b] = e.ids.length;
    for (let t = 0; t < e.ids.length; t++) {
      tokens[t * B + b] = e.ids[t];
      mask[t * B + b] = 1;
      if (e.labels) tokenTargets[t * B + b] = e.labels[t];
    }
    if (e.label !== undefined) classTargets[b] = e.label;
  });
  return { tokens, lengths, T, B, tokenTargets, classTargets, mask };
}

/** Shuffled (seeded) epochs of padded batches; the order lives in `order`, so a resume can restore it. */
export class SequenceBatches {
  private order: number[] = [];
  private next = 0;
  epoch = 0;

  constructor(private readonly examples: readonly Example[], readonly batchSize: number, private readonly rng: Rng) {
    if (examples.length === 0) throw new Error('no training examples');
  }

  get batchesPerEpoch(): number { return Math.ceil(this.examples.length / this.batchSize); }

  nextBatch(): { batch: SequenceBatch; epochEnded: boolean } {
    if (this.next === 0) this.order = this.rng.shuffle([...this.examples.keys()]);
    const picked = this.order.slice(this.next, this.next + this.batchSize).map((i) => this.examples[i]);
    this.next += this.batchSize;
    const epochEnded = this.next >= this.examples.length;
    if (epochEnded) { this.next = 0; this.epoch++; }
    return { batch: padBatch(picked), epochEnded };
  }

  /** Cursor for checkpoints: the current epoch's order and position. */
  get cursor(): { order: number[]; next: number; epoch: number } { return { order: this.order, next: this.next, epoch: this.epoch }; }
  set cursor(c: { order: number[]; next: number; epoch: number }) { this.order = c.order; this.next = c.next; this.epoch = c.epoch; }
}

/** Consecutive (unshuffled) batches over all examples: evaluation. */
export function* evalBatches(examples: readonly Example[], batchSize: number): Generator<SequenceBatch> {
  for (let i = 0; i < examples.length; i += batchSize) yield padBatch(examples.slice(i, i + batchSize));
}
