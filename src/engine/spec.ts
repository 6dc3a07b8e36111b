// What a model is (its hyper-parameters) and where each parameter lives in the flat weight buffer.
// Shared by the engine, ONNX export/import and checkpoints: this file fixes the layout.
//
// V = input vocabulary, E = embedding size (0 = one-hot, then the layer-0 input size is V),
// H = hidden size, D = directions (1, or 2 when bidirectional), G = gates (rnn 1, gru 3, lstm 4),
// I = input size of a layer (layer 0: E or V; later layers: D*H), C = head outputs, L = layers.
//
// Weights are kept in ONNX order and layout so export is a copy:
//   W (D, G*H, I), R (D, G*H, H), B (D, 2*G*H) = [Wb; Rb], P (D, 3*H) = [Pi; Po; Pf].
//   gate order: LSTM i, o, f, c; GRU z, r, h.
// PyTorch's order differs (LSTM i, f, g, o; GRU r, z, n); the mapping is done once, in ONNX import
// and in the fixture script.

export type CellKind = 'rnn' | 'gru' | 'lstm';
export type Activation = 'tanh' | 'relu';
export type HeadKind = 'softmax' | 'sigmoid';

/** A recurrent model (lm, tag, classify). Other kinds (seq2seq, ...) are in modelKinds.ts's AnyModelSpec. */
export interface ModelSpec {
  readonly kind?: 'recurrent';      // the model-kind discriminant; absent in every spec before seq2seq
  readonly cell: CellKind;
  readonly vocabSize: number;       // V
  readonly embedding: number;       // E; 0 = one-hot input
  readonly hidden: number;          // H
  readonly layers: number;          // L
  readonly bidirectional: boolean;  // D = 2 when true
  readonly peephole: boolean;       // lstm only
  readonly resetAfter: boolean;     // gru only; true = PyTorch, ONNX linear_before_reset=1
  readonly activation: Activation;  // rnn only
  readonly dropout: number;         // between stacked layers, training only
  readonly outputs: number;         // C
  readonly head: HeadKind;          // softmax: one class of C; sigmoid: C independent binary outputs
  readonly manyToOne: boolean;      // classify: the head reads the final states, not every step
}

export interface ParamEntry {
  readonly name: string;
  readonly shape: readonly number[];
  readonly offset: number;          // into the flat Float32Array / Float64Array
  readonly size: number;
}

export const gateCount = (cell: CellKind): number => (cell === 'rnn' ? 1 : cell === 'gru' ? 3 : 4);
export const directions = (spec: ModelSpec): number => (spec.bidirectional ? 2 : 1);
export const inputSize = (spec: ModelSpec): number => (spec.embedding > 0 ? spec.embedding : spec.vocabSize);
export const layerInputSize = (spec: ModelSpec, layer: number): number =>
  layer === 0 ? inputSize(spec) : directions(spec) * spec.hidden;
/** Width of the features the head reads: D*H. */
export const featureSize = (spec: ModelSpec): number => directions(spec) * spec.hidden;

/**
 * Parameter names, in buffer order:
 *   embedding (V, E)                      when E > 0
 *   layer{l}.W (D, G*H, I)  layer{l}.R (D, G*H, H)  layer{l}.B (D, 2*G*H)  [layer{l}.P (D, 3*H)]
 *   head.W (C, D*H)  head.b (C)           head.W as nn.Linear: y = x·head.Wᵀ + head.b
 */
export function paramLayout(spec: ModelSpec): ParamEntry[] {
  const entries: ParamEntry[] = [];
  let offset = 0;
  const add = (name: string, shape: number[]) => {
    const size = shape.reduce((a, b) => a * b, 1);
    entries.push({ name, shape, offset, size });
    offset += size;
  };
  const D = directions(spec), G = gateCount(spec.cell), H = spec.hidden;
  if (spec.embedding > 0) add('embedding', [spec.vocabSize, spec.embedding]);
  for (let l = 0; l < spec.layers; l++) {
    add(`layer${l}.W`, [D, G * H, layerInputSize(spec, l)]);
    add(`layer${l}.R`, [D, G * H, H]);
    add(`layer${l}.B`, [D, 2 * G * H]);
    if (spec.cell === 'lstm' && spec.peephole) add(`layer${l}.P`, [D, 3 * H]);
  }
  add('head.W', [spec.outputs, featureSize(spec)]);
  add('head.b', [spec.outputs]);
  return entries;
}

export const paramCount = (spec: ModelSpec): number => {
  const layout = paramLayout(spec);
  const last = layout[layout.length - 1];
  return last.offset + last.size;
};
