// Engine seq2seq model → two ONNX ModelProtos (opset 14, standard ops only), the split Hugging Face
// Optimum uses for seq2seq: encoder.onnx runs once per batch of sources, decoder.onnx is one
// decoder step. The equations are src/engine/seq2seq/model.ts's; weights are copied (ONNX layout).
//
// Tx = source steps, B = sources, K = decoder rows, F = D*H, Hd = F, A = Hd, Kw = key width
// (additive A, general Hd, dot F), E = embedding, Vt = target vocabulary, O = Hd + F.
//
// encoder.onnx
//   source (Tx, B) int64, source_lengths (B) int32
//   → memory (B, Tx, F), keys (B, Tx, Kw)            [attention ≠ none]
//     state_h (1, B, Hd) [state_c (1, B, Hd) lstm]    s_0 = [h→_final; h←_final] of the top layer
//   Gather(embedding | identity | OneHot) → per layer RNN|GRU|LSTM(x, W, R, B, source_lengths)
//   (sequence_lens: the same padding semantics as the engine) → Transpose/Reshape to (Tx, B, F);
//   keys = memory·Whᵀ (additive), memory·Waᵀ (general), memory (dot): once per source.
// decoder.onnx (one step)
//   prev_token (K) int64, state_h (1, K, Hd) [state_c], memory (K, Tx, F), keys (K, Tx, Kw),
//   source_mask (K, Tx) float (1 = real step, 0 = padding)                [memory..mask: not for none]
//   → logits (K, Vt), state_h_out (1, K, Hd) [state_c_out], attention (K, Tx)   [attention: not for none]
//   scores: additive MatMul(Tanh(s·Wsᵀ ⊕ keys), v); dot/general MatMul(keys, s); masked by adding
//   (mask - 1)·1e9 (exp underflows to exactly 0); Softmax over Tx; context = alpha·memory;
//   cell = RNN|GRU|LSTM over one step of [Ey[y]; context]; logits = [s; context]·Woᵀ + bo.
import { gateCount, type ModelSpec } from '../engine/spec';
import {
  attentionSize, contextSize, decoderHidden, decoderInputSize, encoderDirections, headInputSize, memorySize,
  seq2seqLayout, seq2seqParamCount, type Seq2SeqSpec,
} from '../engine/seq2seq/spec';
import { keyWidth } from '../engine/seq2seq/attention';
import type { OnnxTypes } from './proto';
import { encodeModel, IR_VERSION, OPSET } from './modelProto';
import { attr, DataType, floatTensor, int64Tensor } from './tensorProto';
import { MAX_IDENTITY_VOCAB, PRODUCER_NAME, PRODUCER_VERSION } from './export';

/** Graph input/output names of encoder.onnx and decoder.onnx (the ort runner feeds and reads these). */
export const SEQ2SEQ_IO = {
  source: 'source', sourceLengths: 'source_lengths', memory: 'memory', keys: 'keys', stateH: 'state_h', stateC: 'state_c',
  prevToken: 'prev_token', sourceMask: 'source_mask', logits: 'logits', stateHOut: 'state_h_out', stateCOut: 'state_c_out',
  attention: 'attention',
} as const;

/** Metadata key holding the Seq2SeqSpec as JSON (both files), so the runner knows the shapes. */
export const SEQ2SEQ_SPEC_KEY = 'rnnlab.seq2seq';

const MASK_PENALTY = 1e9;
const opName: Record<ModelSpec['cell'], string> = { rnn: 'RNN', gru: 'GRU', lstm: 'LSTM' };

type Dim = number | string;
const valueInfo = (name: string, elemType: number, dims: readonly Dim[]): OnnxTypes.IValueInfoProto => ({
  name,
  type: { tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
});

/** A graph under construction: nodes, initializers, and the model's weights by name. */
class GraphBuilder {
  readonly nodes: OnnxTypes.INodeProto[] = [];
  readonly initializers: OnnxTypes.ITensorProto[] = [];
  private readonly constants = new Set<string>();
  private readonly layout;
  constructor(private readonly spec: Seq2SeqSpec, private readonly params: Float32Array) {
    this.layout = new Map(seq2seqLayout(spec).map((e) => [e.name, e]));
  }
  node(op: string, inputs: string[], outputs: string[], attributes: OnnxTypes.IAttributeProto[] = []): string {
    this.nodes.push({ opType: op, name: `${outputs[0]}/${op}`, input: inputs, output: outputs, attribute: attributes });
    return outputs[0];
  }
  weights(name: string): { dims: readonly number[]; data: Float32Array } {
    const e = this.layout.get(name);
    if (!e) throw new Error(`seq2seq export: no parameter ${name}`);
    return { dims: e.shape, data: this.params.subarray(e.offset, e.offset + e.size) };
  }
  /** The named weight as an initializer (same name). */
  copy(name: string): string {
    const w = this.weights(name);
    this.initializers.push(floatTensor(name, w.dims, w.data));
    return name;
  }
  /** (rows, cols) weight W → an initializer holding Wᵀ (cols, rows), for MatMul(x, Wᵀ). */
  transposed(name: string, rows: number, cols: number): string {
    const w = this.weights(name), t = new Float32Array(rows * cols);
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = w.data[r * cols + c];
    const out = `${name}_T`;
    this.initializers.push(floatTensor(out, [cols, rows], t));
    return out;
  }
  ints(name: string, values: number[]): string {
    if (!this.constants.has(name)) { this.constants.add(name); this.initializers.push(int64Tensor(name, [values.length], values)); }
    return name;
  }
  float(name: string, value: number): string {
    if (!this.constants.has(name)) { this.constants.add(name); this.initializers.push(floatTensor(name, [], [value])); }
    return name;
  }
  /** Token ids → rows of the embedding, or one-hot vectors of width V (identity Gather up to MAX_IDENTITY_VOCAB, else OneHot). */
  tokens(ids: string, table: string | null, V: number, out: string): string {
    if (table) return this.node('Gather', [this.copy(table), ids], [out], [attr.int('axis', 0)]);
    if (V <= MAX_IDENTITY_VOCAB) {
      const identity = new Float32Array(V * V);
      for (let v = 0; v < V; v++) identity[v * V + v] = 1;
      this.initializers.push(floatTensor(`${out}.onehot`, [V, V], identity));
      return this.node('Gather', [`${out}.onehot`, ids], [out], [attr.int('axis', 0)]);
    }
    this.initializers.push(int64Tensor(`${out}.depth`, [], [V]), floatTensor(`${out}.values`, [2], [0, 1]));
    return this.node('OneHot', [ids, `${out}.depth`, `${out}.values`], [out], [attr.int('axis', -1)]);
  }
  /** The cell attributes of an RNN/GRU/LSTM node. */
  cellAttributes(hidden: number, bidirectional: boolean): OnnxTypes.IAttributeProto[] {
    const s = this.spec, D = bidirectional ? 2 : 1;
    const attributes = [attr.int('hidden_size', hidden), attr.string('direction', bidirectional ? 'bidirectional' : 'forward')];
    if (s.cell === 'rnn') attributes.push(attr.strings('activations', Array(D).fill(s.activation === 'relu' ? 'Relu' : 'Tanh')));
    if (s.cell === 'gru') attributes.push(attr.int('linear_before_reset', s.resetAfter ? 1 : 0));
    return attributes;
  }
}

function modelProto(graph: OnnxTypes.IGraphProto, metadata: Record<string, string>): Uint8Array {
  return encodeModel({
    irVersion: IR_VERSION, opsetImport: [{ domain: '', version: OPSET }], producerName: PRODUCER_NAME, producerVersion: PRODUCER_VERSION,
    graph, metadataProps: Object.entries(metadata).map(([key, value]) => ({ key, value })),
  });
}

function checkParams(spec: Seq2SeqSpec, params: Float32Array): void {
  const expected = seq2seqParamCount(spec);
  if (params.length !== expected) throw new Error(`seq2seq export: params has ${params.length} values, the spec needs ${expected} (seq2seqLayout)`);
}

const withSpec = (spec: Seq2SeqSpec, metadata: Record<string, string>) => ({ ...metadata, [SEQ2SEQ_SPEC_KEY]: JSON.stringify(spec) });

export function exportSeq2SeqEncoder(spec: Seq2SeqSpec, params: Float32Array, metadata: Record<string, string>): Uint8Array {
  checkParams(spec, params);
  const io = SEQ2SEQ_IO, g = new GraphBuilder(spec, params);
  const D = encoderDirections(spec), H = spec.hidden, L = spec.layers, F = memorySize(spec), Hd = decoderHidden(spec);
  const lstm = spec.cell === 'lstm', peep = lstm && spec.peephole;
  let x = g.tokens(io.source, spec.embedding > 0 ? 'encoder.embedding' : null, spec.sourceVocab, 'x0');
  const steps = g.ints('shape.steps', [0, 0, -1]);
  for (let l = 0; l < L; l++) {
    const p = `encoder.layer${l}`;
    const inputs = [x, g.copy(`${p}.W`), g.copy(`${p}.R`), g.copy(`${p}.B`), io.sourceLengths];
    if (peep) inputs.push('', '', g.copy(`${p}.P`));
    const outputs = [`${p}.Y`, `${p}.Y_h`, ...(lstm ? [`${p}.Y_c`] : [])];
    g.node(opName[spec.cell], inputs, outputs, g.cellAttributes(H, spec.bidirectional));
    g.node('Transpose', [`${p}.Y`], [`${p}.Y_tbdh`], [attr.ints('perm', [0, 2, 1, 3])]);
    x = g.node('Reshape', [`${p}.Y_tbdh`, steps], [`x${l + 1}`]);
  }
  const top = `encoder.layer${L - 1}`;
  const initial = (final: string, out: string) => {
    g.node('Transpose', [final], [`${out}.bdh`], [attr.ints('perm', [1, 0, 2])]);
    g.node('Reshape', [`${out}.bdh`, g.ints('shape.rows', [0, -1])], [`${out}.flat`]);
    g.node('Unsqueeze', [`${out}.flat`, g.ints('axes0', [0])], [out]);
  };
  initial(`${top}.Y_h`, io.stateH);
  if (lstm) initial(`${top}.Y_c`, io.stateC);
  const outputs = [valueInfo(io.stateH, DataType.FLOAT, [1, 'B', Hd]), ...(lstm ? [valueInfo(io.stateC, DataType.FLOAT, [1, 'B', Hd])] : [])];
  if (spec.attention !== 'none') {
    g.node('Transpose', [x], [io.memory], [attr.ints('perm', [1, 0, 2])]);
    const A = attentionSize(spec), Kw = keyWidth(spec.attention, F, Hd, A);
    if (spec.attention === 'additive') g.node('MatMul', [io.memory, g.transposed('attention.Wh', A, F)], [io.keys]);
    else if (spec.attention === 'general') g.node('MatMul', [io.memory, g.transposed('attention.Wa', Hd, F)], [io.keys]);
    else g.node('Identity', [io.memory], [io.keys]);
    outputs.unshift(valueInfo(io.memory, DataType.FLOAT, ['B', 'Tx', F]), valueInfo(io.keys, DataType.FLOAT, ['B', 'Tx', Kw]));
  }
  return modelProto({
    name: `rnn-lab seq2seq encoder (${spec.cell})`, node: g.nodes, initializer: g.initializers,
    input: [valueInfo(io.source, DataType.INT64, ['Tx', 'B']), valueInfo(io.sourceLengths, DataType.INT32, ['B'])],
    output: outputs,
    docString: `RNN Lab seq2seq encoder: ${L} layer(s) of ${H} ${spec.cell} units, ${D} direction(s); memory and keys for ${spec.attention} attention`,
  }, withSpec(spec, metadata));
}

export function exportSeq2SeqDecoder(spec: Seq2SeqSpec, params: Float32Array, metadata: Record<string, string>): Uint8Array {
  checkParams(spec, params);
  const io = SEQ2SEQ_IO, g = new GraphBuilder(spec, params);
  const F = memorySize(spec), Hd = decoderHidden(spec), A = attentionSize(spec), Vt = spec.targetVocab;
  const G = gateCount(spec.cell), O = headInputSize(spec), Ctx = contextSize(spec);
  const lstm = spec.cell === 'lstm', peep = lstm && spec.peephole;
  const tokenIn = g.tokens(io.prevToken, spec.embedding > 0 ? 'decoder.embedding' : null, Vt, 'y_prev');
  const inputs = [valueInfo(io.prevToken, DataType.INT64, ['K']), valueInfo(io.stateH, DataType.FLOAT, [1, 'K', Hd])];
  if (lstm) inputs.push(valueInfo(io.stateC, DataType.FLOAT, [1, 'K', Hd]));
  const outputs = [valueInfo(io.logits, DataType.FLOAT, ['K', Vt]), valueInfo(io.stateHOut, DataType.FLOAT, [1, 'K', Hd])];
  if (lstm) outputs.push(valueInfo(io.stateCOut, DataType.FLOAT, [1, 'K', Hd]));
  let cellInput = tokenIn, feats = '';
  if (Ctx > 0) {
    const Kw = keyWidth(spec.attention, F, Hd, A);
    inputs.push(valueInfo(io.memory, DataType.FLOAT, ['K', 'Tx', F]), valueInfo(io.keys, DataType.FLOAT, ['K', 'Tx', Kw]),
      valueInfo(io.sourceMask, DataType.FLOAT, ['K', 'Tx']));
    outputs.push(valueInfo(io.attention, DataType.FLOAT, ['K', 'Tx']));
    const sPrev = g.node('Squeeze', [io.stateH, g.ints('axes0', [0])], ['s_prev']);
    if (spec.attention === 'additive') {
      g.node('MatMul', [sPrev, g.transposed('attention.Ws', A, Hd)], ['query']);
      g.node('Unsqueeze', ['query', g.ints('axes1', [1])], ['query3']);
      g.node('Add', ['query3', io.keys], ['pre']);
      g.node('Tanh', ['pre'], ['u']);
      const v = g.weights('attention.v');
      g.initializers.push(floatTensor('attention.v_col', [A, 1], v.data));
      g.node('MatMul', ['u', 'attention.v_col'], ['scores3']);
    } else {
      g.node('Unsqueeze', [sPrev, g.ints('axes2', [2])], ['s_col']);
      g.node('MatMul', [io.keys, 's_col'], ['scores3']);
    }
    g.node('Squeeze', ['scores3', g.ints('axes2', [2])], ['scores']);
    g.node('Sub', [io.sourceMask, g.float('one', 1)], ['mask_minus_one']);
    g.node('Mul', ['mask_minus_one', g.float('mask_penalty', MASK_PENALTY)], ['mask_add']);
    g.node('Add', ['scores', 'mask_add'], ['scores_masked']);
    g.node('Softmax', ['scores_masked'], [io.attention], [attr.int('axis', 1)]);
    g.node('Unsqueeze', [io.attention, g.ints('axes1', [1])], ['alpha3']);
    g.node('MatMul', ['alpha3', io.memory], ['context3']);
    g.node('Squeeze', ['context3', g.ints('axes1', [1])], ['context']);
    cellInput = g.node('Concat', [tokenIn, 'context'], ['cell_x'], [attr.int('axis', 1)]);
  }
  g.node('Unsqueeze', [cellInput, g.ints('axes0', [0])], ['cell_x3']);
  const cellInputs = ['cell_x3', g.copy('decoder.W'), g.copy('decoder.R'), g.copy('decoder.B'), '', io.stateH];
  if (lstm) cellInputs.push(io.stateC);
  if (peep) cellInputs.push(g.copy('decoder.P'));
  g.node(opName[spec.cell], cellInputs, ['cell_Y', io.stateHOut, ...(lstm ? [io.stateCOut] : [])], g.cellAttributes(Hd, false));
  g.node('Squeeze', [io.stateHOut, g.ints('axes0', [0])], ['s']);
  feats = Ctx > 0 ? g.node('Concat', ['s', 'context'], ['feats'], [attr.int('axis', 1)]) : 's';
  g.node('MatMul', [feats, g.transposed('head.W', Vt, O)], ['head_xW']);
  g.node('Add', ['head_xW', g.copy('head.b')], [io.logits]);
  return modelProto({
    name: `rnn-lab seq2seq decoder step (${spec.cell})`, node: g.nodes, initializer: g.initializers, input: inputs, output: outputs,
    docString: `RNN Lab seq2seq decoder, one step: ${spec.attention} attention, a ${spec.cell} cell of ${Hd} units over ` +
      `${decoderInputSize(spec)} inputs (${G} gate(s)), ${Vt} outputs`,
  }, withSpec(spec, metadata));
}

/** The spec written into a seq2seq file's metadata, checked to be one (the runner reads it). */
export function seq2seqSpecOf(metadata: Record<string, string>, where: string): Seq2SeqSpec {
  const raw = metadata[SEQ2SEQ_SPEC_KEY];
  if (!raw) throw new Error(`${where}: metadata_props has no "${SEQ2SEQ_SPEC_KEY}"; expected encoder.onnx/decoder.onnx written by RNN Lab`);
  let spec: Seq2SeqSpec;
  try { spec = JSON.parse(raw) as Seq2SeqSpec; } catch { throw new Error(`${where}: metadata_props "${SEQ2SEQ_SPEC_KEY}" is not JSON`); }
  if (spec?.kind !== 'seq2seq') throw new Error(`${where}: "${SEQ2SEQ_SPEC_KEY}" is not a seq2seq spec`);
  return spec;
}
