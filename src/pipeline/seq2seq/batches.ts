// Minibatches of source/target pairs, batched by length: each epoch shuffles the pairs (seeded), sorts
// them by source length within pools of POOL_BATCHES batches, cuts the pools into batches of similar
// lengths (little padding) and shuffles the order of the batches. The epoch's order is one list of
// example indices (batch i = order[i*B, (i+1)*B)), the same cursor shape as SequenceBatches, so a
// checkpoint keeps it and a resume continues in the middle of an epoch.
//
// Tx, Ty = longest source, longest target + 1 (<eos>) in the batch, B = batch. Time-major (T, B).
import type { Rng } from '../../engine/rng';
import type { Seq2SeqBatch } from '../../engine/seq2seq/model';
import { EOS, PAD } from '../tokenizer';

/** One source/target pair as ids; the target without its <eos> (batches add it). */
export interface PairExample {
  readonly source: Int32Array;
  readonly target: Int32Array;
  readonly reference: readonly string[];  // the target's tokens as written (exact match and BLEU compare to these)
  readonly line: number;                  // 1-based line in its file
}

/** Batches of similar source lengths are formed within pools of this many batches. */
export const POOL_BATCHES = 50;

/** Pads pairs into one batch: sources (Tx, B), targets + <eos> (Ty, B), PAD after each length. */
export function pairBatch(examples: readonly PairExample[]): Seq2SeqBatch {
  const B = examples.length;
  const Tx = Math.max(...examples.map((e) => e.source.length));
  const Ty = Math.max(...examples.map((e) => e.target.length)) + 1;
  const source = new Int32Array(Tx * B).fill(PAD), target = new Int32Array(Ty * B).fill(PAD);
  const sourceLengths = new Int32Array(B), targetLengths = new Int32Array(B);
  examples.forEach((e, b) => {
    sourceLengths[b] = e.source.length;
    targetLengths[b] = e.target.length + 1;
    e.source.forEach((id, j) => { source[j * B + b] = id; });
    e.target.forEach((id, t) => { target[t * B + b] = id; });
    target[e.target.length * B + b] = EOS;
  });
  return { source, Tx, B, sourceLengths, target, Ty, targetLengths };
}

/** Seeded epochs of length-bucketed batches; `cursor` saves and restores the position. */
export class LengthBatches {
  private order: number[] = [];
  private next = 0;
  epoch = 0;

  constructor(private readonly examples: readonly PairExample[], readonly batchSize: number, private readonly rng: Rng) {
    if (examples.length === 0) throw new Error('no training pairs');
  }

  get batchesPerEpoch(): number { return Math.ceil(this.examples.length / this.batchSize); }

  nextBatch(): { batch: Seq2SeqBatch; epochEnded: boolean } {
    if (this.next === 0) this.order = this.epochOrder();
    const picked = this.order.slice(this.next, this.next + this.batchSize).map((i) => this.examples[i]);
    this.next += this.batchSize;
    const epochEnded = this.next >= this.examples.length;
    if (epochEnded) { this.next = 0; this.epoch++; }
    return { batch: pairBatch(picked), epochEnded };
  }

  /** Shuffle, sort by source length within pools, cut into batches, shuffle the batches. */
  private epochOrder(): number[] {
    const B = this.batchSize, pool = B * POOL_BATCHES;
    const shuffled = this.rng.shuffle([...this.examples.keys()]);
    const batches: number[][] = [];
    for (let p = 0; p < shuffled.length; p += pool) {
      const sorted = shuffled.slice(p, p + pool).sort((a, b) => this.examples[a].source.length - this.examples[b].source.length || a - b);
      for (let i = 0; i < sorted.length; i += B) batches.push(sorted.slice(i, i + B));
    }
    // The last batch of the epoch may be short; keep it last so every other batch has B pairs.
    const last = batches.pop()!;
    return [...this.rng.shuffle(batches), last].flat();
  }

  get cursor(): { order: number[]; next: number; epoch: number } { return { order: this.order, next: this.next, epoch: this.epoch }; }
  set cursor(c: { order: number[]; next: number; epoch: number }) { this.order = c.order; this.next = c.next; this.epoch = c.epoch; }
}

/** Evaluation batches in a fixed order, sorted by source length (less padding); `indices` say which examples each holds. */
export function* sortedPairBatches(examples: readonly PairExample[], batchSize: number): Generator<{ batch: Seq2SeqBatch; indices: number[] }> {
  const order = [...examples.keys()].sort((a, b) => examples[a].source.length - examples[b].source.length || a - b);
  for (let i = 0; i < order.length; i += batchSize) {
    const indices = order.slice(i, i + batchSize);
    yield { batch: pairBatch(indices.map((k) => examples[k])), indices };
  }
}
