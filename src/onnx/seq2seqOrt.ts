// The onnxruntime backend of seq2seq: encoder.onnx once per batch of sources, decoder.onnx once per
// step, as the engine's Seq2SeqRunner, so greedy and beam search (src/engine/seq2seq/search.ts) run
// unchanged on it. Decoder rows read the memory rows rowOf[k]: the runner gathers them (and the
// source mask) into (K, Tx, ·) inputs, reusing the gathered copy while rowOf does not change (a
// beam reads one source at every step).
//
// Tx = source steps, B = sources, K = decoder rows, F = memory width, Kw = key width, Hd = decoder state.
import type { Seq2SeqRunner } from '../engine/seq2seq/search';
import { attentionSize, decoderHidden, memorySize, type Seq2SeqSpec } from '../engine/seq2seq/spec';
import { keyWidth } from '../engine/seq2seq/attention';
import { metadataOf, decodeModel } from './modelProto';
import { createOrtSession } from './ort';
import { SEQ2SEQ_IO as IO, seq2seqSpecOf } from './seq2seqExport';

/** The encoded sources as the decoder graph reads them: memory (B, Tx, F), keys (B, Tx, Kw), lengths. */
export interface OrtMemory {
  readonly Tx: number;
  readonly B: number;
  readonly memory: Float32Array | null;
  readonly keys: Float32Array | null;
  readonly lengths: Int32Array;
}

/** K rows of decoder state: h (K, Hd), lstm c (K, Hd). */
export interface OrtDecoderState {
  readonly K: number;
  readonly h: Float32Array;
  readonly c: Float32Array | null;
}

export interface Seq2SeqOrt extends Seq2SeqRunner<OrtMemory, OrtDecoderState> {
  readonly spec: Seq2SeqSpec;
  readonly metadata: Record<string, string>;
  dispose(): void;
}

/** Opens encoder.onnx and decoder.onnx (bytes) written by exportSeq2SeqEncoder/Decoder. */
export function openSeq2SeqOrt(encoderBytes: Uint8Array, decoderBytes: Uint8Array, names = { encoder: 'encoder.onnx', decoder: 'decoder.onnx' }): Seq2SeqOrt {
  const metadata = metadataOf(decodeModel(decoderBytes, names.decoder));
  const spec = seq2seqSpecOf(metadata, names.decoder);
  const encoderSpecJson = metadataOf(decodeModel(encoderBytes, names.encoder));
  if (JSON.stringify(seq2seqSpecOf(encoderSpecJson, names.encoder)) !== JSON.stringify(spec)) {
    throw new Error(`${names.encoder} and ${names.decoder} describe different models; expected the pair written by one run`);
  }
  const encoder = createOrtSession(encoderBytes, names.encoder);
  const decoder = createOrtSession(decoderBytes, names.decoder);
  const F = memorySize(spec), Hd = decoderHidden(spec), Vt = spec.targetVocab;
  const attends = spec.attention !== 'none';
  const Kw = attends ? keyWidth(spec.attention, F, Hd, attentionSize(spec)) : 0;
  const lstm = spec.cell === 'lstm';
  let gathered: { memory: OrtMemory; rowOf: Int32Array; memoryK: Float32Array; keysK: Float32Array; maskK: Float32Array } | null = null;

  const gather = (mem: OrtMemory, rowOf: Int32Array) => {
    if (gathered && gathered.memory === mem && sameRows(gathered.rowOf, rowOf)) return gathered;
    const K = rowOf.length, Tx = mem.Tx;
    const memoryK = new Float32Array(K * Tx * F), keysK = new Float32Array(K * Tx * Kw), maskK = new Float32Array(K * Tx);
    for (let k = 0; k < K; k++) {
      const m = rowOf[k];
      memoryK.set(mem.memory!.subarray(m * Tx * F, (m + 1) * Tx * F), k * Tx * F);
      keysK.set(mem.keys!.subarray(m * Tx * Kw, (m + 1) * Tx * Kw), k * Tx * Kw);
      maskK.fill(1, k * Tx, k * Tx + mem.lengths[m]);
    }
    return (gathered = { memory: mem, rowOf: rowOf.slice(), memoryK, keysK, maskK });
  };

  return {
    spec, metadata, targetVocab: Vt,
    encode(source, Tx, B, lengths) {
      if (source.length !== Tx * B) throw new Error(`ort seq2seq encode: source has ${source.length} ids, expected Tx*B = ${Tx * B}`);
      const ids = new BigInt64Array(Tx * B);
      for (let i = 0; i < ids.length; i++) {
        const t = source[i], valid = Math.floor(i / B) < lengths[i % B];
        if (valid && !(t >= 0 && t < spec.sourceVocab)) throw new Error(`ort seq2seq encode: source token ${t} is outside the source vocabulary 0..${spec.sourceVocab - 1}`);
        ids[i] = BigInt(t >= 0 && t < spec.sourceVocab ? t : 0);
      }
      const fetch: string[] = [IO.stateH, ...(lstm ? [IO.stateC] : []), ...(attends ? [IO.memory, IO.keys] : [])];
      const out = encoder.run({
        [IO.source]: { type: 'int64', data: ids, dims: [Tx, B] },
        [IO.sourceLengths]: { type: 'int32', data: Int32Array.from(lengths), dims: [B] },
      }, fetch);
      const memory: OrtMemory = {
        Tx, B, memory: attends ? Float32Array.from(out[IO.memory]) : null, keys: attends ? Float32Array.from(out[IO.keys]) : null,
        lengths: Int32Array.from(lengths),
      };
      return { memory, state: { K: B, h: Float32Array.from(out[IO.stateH]), c: lstm ? Float32Array.from(out[IO.stateC]) : null } };
    },
    step(mem, rowOf, prev, state) {
      const K = rowOf.length;
      if (prev.length !== K || state.K !== K) throw new Error(`ort seq2seq step: rowOf, prev and the state must have the same rows, got ${K}, ${prev.length}, ${state.K}`);
      const tokens = new BigInt64Array(K);
      for (let k = 0; k < K; k++) {
        if (!(prev[k] >= 0 && prev[k] < Vt)) throw new Error(`ort seq2seq step: token ${prev[k]} is outside the target vocabulary 0..${Vt - 1}`);
        tokens[k] = BigInt(prev[k]);
      }
      const feeds: Parameters<typeof decoder.run>[0] = {
        [IO.prevToken]: { type: 'int64', data: tokens, dims: [K] },
        [IO.stateH]: { type: 'float32', data: state.h, dims: [1, K, Hd] },
      };
      if (lstm) feeds[IO.stateC] = { type: 'float32', data: state.c!, dims: [1, K, Hd] };
      if (attends) {
        const g = gather(mem, rowOf);
        feeds[IO.memory] = { type: 'float32', data: g.memoryK, dims: [K, mem.Tx, F] };
        feeds[IO.keys] = { type: 'float32', data: g.keysK, dims: [K, mem.Tx, Kw] };
        feeds[IO.sourceMask] = { type: 'float32', data: g.maskK, dims: [K, mem.Tx] };
      }
      const out = decoder.run(feeds, [IO.logits, IO.stateHOut, ...(lstm ? [IO.stateCOut] : []), ...(attends ? [IO.attention] : [])]);
      return {
        logits: Float32Array.from(out[IO.logits]),
        attention: attends ? Float32Array.from(out[IO.attention]) : null,
        state: { K, h: Float32Array.from(out[IO.stateHOut]), c: lstm ? Float32Array.from(out[IO.stateCOut]) : null },
      };
    },
    selectRows(state, rows) {
      const K = rows.length, h = new Float32Array(K * Hd), c = state.c ? new Float32Array(K * Hd) : null;
      for (let k = 0; k < K; k++) {
        h.set(state.h.subarray(rows[k] * Hd, (rows[k] + 1) * Hd), k * Hd);
        if (c && state.c) c.set(state.c.subarray(rows[k] * Hd, (rows[k] + 1) * Hd), k * Hd);
      }
      return { K, h, c };
    },
    dispose() {
      encoder.dispose();
      decoder.dispose();
    },
  };
}

function sameRows(a: Int32Array, b: Int32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
