// How good a seq2seq model is on labelled pairs, through any Seq2SeqRunner (the engine or
// onnxruntime): the teacher-forced loss (mean cross-entropy in nats per target token, <eos> included),
// and from the searched outputs the exact-match share and corpus BLEU-4 against the references.
// The validation of a training run and `rnn-lab eval` both call evaluateSeq2Seq.
import { beamSearch, greedySearch, type Seq2SeqRunner } from '../../engine/seq2seq/search';
import { EOS, NON_TEXT_TOKENS, type Tokenizer } from '../tokenizer';
import { sortedPairBatches, type PairExample } from './batches';
import { corpusBleu } from './bleu';

export interface Seq2SeqEvaluation {
  readonly loss: number;            // nats per target token, teacher forced
  readonly exactMatch: number;      // share of decoded outputs equal to their reference, token for token
  readonly bleu: number;            // corpus BLEU-4 of the decoded outputs, 0..1
  readonly pairs: number;           // pairs the loss is over
  readonly decoded: number;         // pairs searched (the first maxDecoded in file order)
}

export interface Seq2SeqEvalOptions {
  readonly batchSize: number;
  readonly maxLength: number;
  readonly beam: number;            // 1 = greedy (batched)
  readonly lengthPenalty: number;
  readonly maxDecoded?: number;     // search at most this many pairs (the loss covers all); default all
  readonly onProgress?: (done: number, total: number) => void;
}

/** The search settings of RNN Lab's vocabularies: <eos> starts and ends an output; <pad> and <unk> are never emitted. */
export const searchTokens = { startToken: EOS, eosToken: EOS, excludeTokens: NON_TEXT_TOKENS } as const;

export function evaluateSeq2Seq<M, S>(runner: Seq2SeqRunner<M, S>, examples: readonly PairExample[], targetTokenizer: Tokenizer, opts: Seq2SeqEvalOptions): Seq2SeqEvaluation {
  if (examples.length === 0) throw new Error('evaluateSeq2Seq: no pairs to evaluate');
  const V = runner.targetVocab;
  let lossSum = 0, tokens = 0, done = 0;
  const decodeCount = Math.min(examples.length, opts.maxDecoded ?? examples.length);
  const total = examples.length + decodeCount;
  for (const { batch } of sortedPairBatches(examples, opts.batchSize)) {
    const enc = runner.encode(batch.source, batch.Tx, batch.B, batch.sourceLengths);
    const rows = Int32Array.from({ length: batch.B }, (_, b) => b);
    let state = enc.state;
    for (let t = 0; t < batch.Ty; t++) {
      const prev = Int32Array.from(rows, (b) => (t === 0 ? EOS : batch.target[(t - 1) * batch.B + b]));
      const out = runner.step(enc.memory, rows, prev, state);
      for (let b = 0; b < batch.B; b++) {
        if (t >= batch.targetLengths[b]) continue;
        lossSum += crossEntropy(out.logits, b, V, batch.target[t * batch.B + b]);
        tokens++;
      }
      state = out.state;
    }
    done += batch.B;
    opts.onProgress?.(done, total);
  }
  const toDecode = examples.slice(0, decodeCount);
  const outputs = decodeAll(runner, toDecode, opts, (n) => opts.onProgress?.(examples.length + n, total));
  const candidates = outputs.map((ids) => ids.map((id) => targetTokenizer.tokenText(id)));
  const references = toDecode.map((e) => e.reference);
  const exact = candidates.filter((c, i) => sameTokens(c, references[i])).length;
  return { loss: lossSum / tokens, exactMatch: exact / decodeCount, bleu: corpusBleu(candidates, references), pairs: examples.length, decoded: decodeCount };
}

/** The searched output ids of each example (greedy in batches, or beam one by one), in example order. */
function decodeAll<M, S>(runner: Seq2SeqRunner<M, S>, examples: readonly PairExample[], opts: Seq2SeqEvalOptions, progress: (n: number) => void): number[][] {
  const search = { ...searchTokens, maxLength: opts.maxLength, lengthPenalty: opts.lengthPenalty };
  const out: number[][] = new Array(examples.length);
  if (opts.beam > 1) {
    examples.forEach((e, i) => { out[i] = beamSearch(runner, e.source, opts.beam, search)[0].tokens; progress(i + 1); });
    return out;
  }
  let n = 0;
  for (const { batch, indices } of sortedPairBatches(examples, opts.batchSize)) {
    greedySearch(runner, batch.source, batch.Tx, batch.B, batch.sourceLengths, search).forEach((t, b) => { out[indices[b]] = t.tokens; });
    progress(n += batch.B);
  }
  return out;
}

function crossEntropy(logits: ArrayLike<number>, row: number, V: number, target: number): number {
  let max = -Infinity;
  for (let v = 0; v < V; v++) max = Math.max(max, logits[row * V + v]);
  let sum = 0;
  for (let v = 0; v < V; v++) sum += Math.exp(logits[row * V + v] - max);
  return Math.log(sum) + max - logits[row * V + target];
}

const sameTokens = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((t, i) => t === b[i]);
