// What a sequence-to-sequence model is (its hyper-parameters) and where each of its parameters lives
// in the flat weight buffer. The equations are in model.ts's header; this file fixes the layout.
//
// Vs, Vt = source and target vocabularies, E = embedding size (0 = one-hot: then the encoder's
// input is Vs wide and the decoder's token input Vt wide), H = encoder hidden size per direction,
// D = encoder directions, L = encoder layers, G = gates (rnn 1, gru 3, lstm 4),
// F = D*H (width of an encoder output h_j), Hd = F (decoder hidden size), A = Hd (attention size),
// Id = decoder cell input = (E or Vt) + F (F dropped when attention is none),
// O = head input = Hd + F (Hd when attention is none).
//
// Cells keep ONNX layout and gate order (LSTM i,o,f,c; GRU z,r,h), as in ../spec.ts, so the
// encoder's layers and the decoder's cell export as ONNX RNN/GRU/LSTM nodes by copying.

import { gateCount, paramLayout, type Activation, type CellKind, type ModelSpec, type ParamEntry } from '../spec';

export type AttentionKind = 'additive' | 'dot' | 'general' | 'none';
export const ATTENTION_KINDS: readonly AttentionKind[] = ['additive', 'dot', 'general', 'none'];

export interface Seq2SeqSpec {
  readonly kind: 'seq2seq';
  readonly cell: CellKind;          // encoder layers and decoder cell
  readonly sourceVocab: number;     // Vs
  readonly targetVocab: number;     // Vt (also the head's outputs)
  readonly embedding: number;       // E for both sides; 0 = one-hot
  readonly hidden: number;          // H of each encoder layer and direction
  readonly layers: number;          // L encoder layers (the decoder is one cell)
  readonly bidirectional: boolean;  // encoder only (the decoder reads left to right)
  readonly peephole: boolean;       // lstm only
  readonly resetAfter: boolean;     // gru only
  readonly activation: Activation;  // rnn only
  readonly dropout: number;         // between stacked encoder layers, training only
  readonly attention: AttentionKind;
}

export const encoderDirections = (spec: Seq2SeqSpec): number => (spec.bidirectional ? 2 : 1);
/** F: width of one encoder output h_j (directions concatenated). */
export const memorySize = (spec: Seq2SeqSpec): number => encoderDirections(spec) * spec.hidden;
/** Hd: the decoder's state is as wide as an encoder output, so s0 is a copy and dot attention needs no projection. */
export const decoderHidden = (spec: Seq2SeqSpec): number => memorySize(spec);
/** A: width of the additive attention's hidden layer. */
export const attentionSize = (spec: Seq2SeqSpec): number => decoderHidden(spec);
/** Width of the decoder's token input: E, or Vt for one-hot. */
export const decoderTokenSize = (spec: Seq2SeqSpec): number => (spec.embedding > 0 ? spec.embedding : spec.targetVocab);
/** F when the context vector exists (any attention but none), else 0. */
export const contextSize = (spec: Seq2SeqSpec): number => (spec.attention === 'none' ? 0 : memorySize(spec));
/** Id: decoder cell input [token; context]. */
export const decoderInputSize = (spec: Seq2SeqSpec): number => decoderTokenSize(spec) + contextSize(spec);
/** O: head input [s; context]. */
export const headInputSize = (spec: Seq2SeqSpec): number => decoderHidden(spec) + contextSize(spec);

/** The encoder as a recurrent ModelSpec (its layers are the engine's RecurrentLayer); head fields unused. */
export function encoderSpec(spec: Seq2SeqSpec): ModelSpec {
  return {
    cell: spec.cell, vocabSize: spec.sourceVocab, embedding: spec.embedding, hidden: spec.hidden, layers: spec.layers,
    bidirectional: spec.bidirectional, peephole: spec.peephole, resetAfter: spec.resetAfter, activation: spec.activation,
    dropout: spec.dropout, outputs: 1, head: 'softmax', manyToOne: false,
  };
}

/** The decoder cell as a one-layer, one-direction recurrent ModelSpec of input Id and hidden Hd. */
export function decoderCellSpec(spec: Seq2SeqSpec): ModelSpec {
  return {
    cell: spec.cell, vocabSize: decoderInputSize(spec), embedding: 0, hidden: decoderHidden(spec), layers: 1,
    bidirectional: false, peephole: spec.peephole, resetAfter: spec.resetAfter, activation: spec.activation,
    dropout: 0, outputs: 1, head: 'softmax', manyToOne: false,
  };
}

/**
 * Parameter names, in buffer order:
 *   encoder.embedding (Vs, E)                                  when E > 0
 *   encoder.layer{l}.W (D, G*H, I)  .R (D, G*H, H)  .B (D, 2*G*H)  [.P (D, 3*H)]   as ../spec.ts
 *   decoder.embedding (Vt, E)                                  when E > 0
 *   decoder.W (1, G*Hd, Id)  decoder.R (1, G*Hd, Hd)  decoder.B (1, 2*G*Hd)  [decoder.P (1, 3*Hd)]
 *   additive: attention.Ws (A, Hd)  attention.Wh (A, F)  attention.v (A)
 *   general:  attention.Wa (Hd, F)
 *   head.W (Vt, O)  head.b (Vt)                                head.W as nn.Linear: y = x·head.Wᵀ + head.b
 */
export function seq2seqLayout(spec: Seq2SeqSpec): ParamEntry[] {
  const entries: ParamEntry[] = [];
  let offset = 0;
  const add = (name: string, shape: readonly number[]) => {
    const size = shape.reduce((a, b) => a * b, 1);
    entries.push({ name, shape, offset, size });
    offset += size;
  };
  for (const e of paramLayout(encoderSpec(spec))) if (!e.name.startsWith('head.')) add(`encoder.${e.name}`, e.shape);
  const G = gateCount(spec.cell), Hd = decoderHidden(spec), A = attentionSize(spec), F = memorySize(spec);
  if (spec.embedding > 0) add('decoder.embedding', [spec.targetVocab, spec.embedding]);
  add('decoder.W', [1, G * Hd, decoderInputSize(spec)]);
  add('decoder.R', [1, G * Hd, Hd]);
  add('decoder.B', [1, 2 * G * Hd]);
  if (spec.cell === 'lstm' && spec.peephole) add('decoder.P', [1, 3 * Hd]);
  if (spec.attention === 'additive') {
    add('attention.Ws', [A, Hd]);
    add('attention.Wh', [A, F]);
    add('attention.v', [A]);
  } else if (spec.attention === 'general') {
    add('attention.Wa', [Hd, F]);
  }
  add('head.W', [spec.targetVocab, headInputSize(spec)]);
  add('head.b', [spec.targetVocab]);
  return entries;
}

export const seq2seqParamCount = (spec: Seq2SeqSpec): number => {
  const layout = seq2seqLayout(spec);
  const last = layout[layout.length - 1];
  return last.offset + last.size;
};
