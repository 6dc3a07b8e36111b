// Engine model → ONNX ModelProto bytes (opset 14, standard ops only), readable by onnxruntime, Netron, PyTorch.
//
// T = time steps, B = batch, V = vocabulary, E = embedding, H = hidden, D = directions, G = gates,
// L = layers, F = D*H (features the head reads), C = head outputs.
//
// Graph (the weights are already in ONNX layout and gate order, so they are copied):
//   tokens (T,B) int64 ─Gather(embedding (V,E) | identity (V,V) for one-hot)→ x0 (T,B,I)
//                        (one-hot with V > MAX_IDENTITY_VOCAB: OneHot(tokens, V, [0,1]) instead)
//   per layer l: h0_l = Gather(state_h (L,D,B,H), l)  [c0_l likewise for lstm]
//                RNN|GRU|LSTM(x_l, W, R, B, '', h0_l[, c0_l, P]) → Y (T,D,B,H), Y_h (D,B,H)[, Y_c]
//                x_{l+1} = Reshape(Transpose(Y, [0,2,1,3]), [0,0,-1])           (T,B,F)
//   head: MatMul(x_L, head.W_T (F,C)) + head.b → logits (T,B,C); many-to-one reads the last layer's
//         final states instead, Reshape(Transpose(Y_h, [1,0,2]), [0,-1]) (B,F) → logits (B,C)
//   probs = Softmax(logits) | Sigmoid(logits); state_h_out (L,D,B,H) [, state_c_out] for stepping.
import { directions, gateCount, layerInputSize, paramLayout, paramCount, type ModelSpec } from '../engine/spec';
import type { OnnxTypes } from './proto';
import { encodeModel, IR_VERSION, OPSET } from './modelProto';
import { attr, DataType, floatTensor, int64Tensor } from './tensorProto';

export const PRODUCER_NAME = 'rnn-lab';
export const PRODUCER_VERSION = '0.1.0';

/** Graph input/output names of exported models (the ort backend feeds and reads these). */
export const IO = {
  tokens: 'tokens', stateH: 'state_h', stateC: 'state_c',
  logits: 'logits', probs: 'probs', stateHOut: 'state_h_out', stateCOut: 'state_c_out',
} as const;

/** One-hot input as Gather from a V×V identity up to this V (4 MB); beyond it, the OneHot op. */
export const MAX_IDENTITY_VOCAB = 1024;

const opName: Record<ModelSpec['cell'], string> = { rnn: 'RNN', gru: 'GRU', lstm: 'LSTM' };

type Dim = number | string;
const valueInfo = (name: string, elemType: number, dims: readonly Dim[]): OnnxTypes.IValueInfoProto => ({
  name,
  type: { tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
});

export function exportModel(spec: ModelSpec, params: Float32Array, metadata: Record<string, string>): Uint8Array {
  const expected = paramCount(spec);
  if (params.length !== expected) {
    throw new Error(`exportModel: params has ${params.length} values, the ${spec.cell} spec needs ${expected} (paramLayout)`);
  }
  const D = directions(spec), G = gateCount(spec.cell), H = spec.hidden, L = spec.layers, V = spec.vocabSize;
  const F = D * H, C = spec.outputs;
  const lstm = spec.cell === 'lstm';
  const layout = new Map(paramLayout(spec).map((e) => [e.name, e]));
  const weights = (name: string) => {
    const e = layout.get(name)!;
    return { dims: e.shape, data: params.subarray(e.offset, e.offset + e.size) };
  };

  const nodes: OnnxTypes.INodeProto[] = [];
  const initializers: OnnxTypes.ITensorProto[] = [];
  const node = (op: string, inputs: string[], outputs: string[], attributes: OnnxTypes.IAttributeProto[] = []) =>
    nodes.push({ opType: op, name: `${outputs[0]}/${op}`, input: inputs, output: outputs, attribute: attributes });
  const copy = (name: string) => { const w = weights(name); initializers.push(floatTensor(name, w.dims, w.data)); return name; };

  // Input features x0 (T,B,I).
  if (spec.embedding > 0) {
    node('Gather', [copy('embedding'), IO.tokens], ['x0'], [attr.int('axis', 0)]);
  } else if (V <= MAX_IDENTITY_VOCAB) {
    const identity = new Float32Array(V * V);
    for (let v = 0; v < V; v++) identity[v * V + v] = 1;
    initializers.push(floatTensor('onehot', [V, V], identity));
    node('Gather', ['onehot', IO.tokens], ['x0'], [attr.int('axis', 0)]);
  } else {
    initializers.push(int64Tensor('onehot.depth', [], [V]), floatTensor('onehot.values', [2], [0, 1]));
    node('OneHot', [IO.tokens, 'onehot.depth', 'onehot.values'], ['x0'], [attr.int('axis', -1)]);
  }

  initializers.push(int64Tensor('axes0', [1], [0]), int64Tensor('shape.steps', [3], [0, 0, -1]));
  let x = 'x0';
  const finalH: string[] = [], finalC: string[] = [];
  for (let l = 0; l < L; l++) {
    initializers.push(int64Tensor(`layer${l}.index`, [], [l]));
    node('Gather', [IO.stateH, `layer${l}.index`], [`layer${l}.h0`], [attr.int('axis', 0)]);
    if (lstm) node('Gather', [IO.stateC, `layer${l}.index`], [`layer${l}.c0`], [attr.int('axis', 0)]);
    const inputs = [x, copy(`layer${l}.W`), copy(`layer${l}.R`), copy(`layer${l}.B`), '', `layer${l}.h0`];
    if (lstm) inputs.push(`layer${l}.c0`);
    if (lstm && spec.peephole) inputs.push(copy(`layer${l}.P`));
    const outputs = [`layer${l}.Y`, `layer${l}.Y_h`];
    if (lstm) outputs.push(`layer${l}.Y_c`);
    const attributes = [attr.int('hidden_size', H), attr.string('direction', spec.bidirectional ? 'bidirectional' : 'forward')];
    if (spec.cell === 'rnn') attributes.push(attr.strings('activations', Array(D).fill(spec.activation === 'relu' ? 'Relu' : 'Tanh')));
    if (spec.cell === 'gru') attributes.push(attr.int('linear_before_reset', spec.resetAfter ? 1 : 0));
    node(opName[spec.cell], inputs, outputs, attributes);
    node('Transpose', [`layer${l}.Y`], [`layer${l}.Y_tbdh`], [attr.ints('perm', [0, 2, 1, 3])]);
    node('Reshape', [`layer${l}.Y_tbdh`, 'shape.steps'], [`x${l + 1}`]);
    x = `x${l + 1}`;
    node('Unsqueeze', [`layer${l}.Y_h`, 'axes0'], [`layer${l}.h_final`]);
    finalH.push(`layer${l}.h_final`);
    if (lstm) { node('Unsqueeze', [`layer${l}.Y_c`, 'axes0'], [`layer${l}.c_final`]); finalC.push(`layer${l}.c_final`); }
  }

  // Head input: every step (T,B,F), or the last layer's final states (B,F).
  let features = x;
  if (spec.manyToOne) {
    initializers.push(int64Tensor('shape.final', [2], [0, -1]));
    node('Transpose', [`layer${L - 1}.Y_h`], ['final_bdh'], [attr.ints('perm', [1, 0, 2])]);
    node('Reshape', ['final_bdh', 'shape.final'], ['final']);
    features = 'final';
  }
  const head = weights('head.W');                                   // (C, F), as nn.Linear
  const headT = new Float32Array(F * C);                            // (F, C) for MatMul
  for (let c = 0; c < C; c++) for (let f = 0; f < F; f++) headT[f * C + c] = head.data[c * F + f];
  initializers.push(floatTensor('head.W_T', [F, C], headT));
  copy('head.b');
  node('MatMul', [features, 'head.W_T'], ['head.xW']);
  node('Add', ['head.xW', 'head.b'], [IO.logits]);
  if (spec.head === 'softmax') node('Softmax', [IO.logits], [IO.probs], [attr.int('axis', -1)]);
  else node('Sigmoid', [IO.logits], [IO.probs]);
  const concatStates = (parts: string[], out: string) => {
    if (parts.length === 1) node('Identity', parts, [out]);
    else node('Concat', parts, [out], [attr.int('axis', 0)]);
  };
  concatStates(finalH, IO.stateHOut);
  if (lstm) concatStates(finalC, IO.stateCOut);

  const stateDims: Dim[] = [L, D, 'B', H];
  const logitDims: Dim[] = spec.manyToOne ? ['B', C] : ['T', 'B', C];
  const graph: OnnxTypes.IGraphProto = {
    name: `rnn-lab ${spec.cell}`,
    node: nodes,
    initializer: initializers,
    input: [valueInfo(IO.tokens, DataType.INT64, ['T', 'B']), valueInfo(IO.stateH, DataType.FLOAT, stateDims),
      ...(lstm ? [valueInfo(IO.stateC, DataType.FLOAT, stateDims)] : [])],
    output: [valueInfo(IO.logits, DataType.FLOAT, logitDims), valueInfo(IO.probs, DataType.FLOAT, logitDims),
      valueInfo(IO.stateHOut, DataType.FLOAT, stateDims), ...(lstm ? [valueInfo(IO.stateCOut, DataType.FLOAT, stateDims)] : [])],
    docString: `RNN Lab ${spec.cell}: ${L} layer(s) of ${H} hidden units, ${D} direction(s), inputs ${layerInputSize(spec, 0)}, ` +
      `${G} gate(s), ${C} outputs`,
  };
  return encodeModel({
    irVersion: IR_VERSION,
    opsetImport: [{ domain: '', version: OPSET }],
    producerName: PRODUCER_NAME,
    producerVersion: PRODUCER_VERSION,
    graph,
    metadataProps: Object.entries(metadata).map(([key, value]) => ({ key, value })),
  });
}

