// Corrupt files, unknown ops, unsupported attributes and unsupported graph patterns get errors that
// name the node, its op and what was expected.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { exportModel } from '../../../src/onnx/export';
import { importModel } from '../../../src/onnx/import';
import { decodeModel, encodeModel } from '../../../src/onnx/modelProto';
import type { OnnxTypes } from '../../../src/onnx/proto';
import { onnx } from '../../../src/onnx/proto';
import { attr, DataType, floatTensor } from '../../../src/onnx/tensorProto';
import { fixtureDir, randomModel, spec } from './helpers';

const lstm = spec({ cell: 'lstm', layers: 2 });
const exported = exportModel(lstm, randomModel(lstm, 5).params as Float32Array, { k: 'v' });
const torchGru = fs.readFileSync(path.join(fixtureDir, 'gru_last_step_bf.onnx'));
const torchBiFinal = fs.readFileSync(path.join(fixtureDir, 'lstm_final_state_bi_bf.onnx'));

/** The exported LSTM (or another model's bytes) decoded, changed by edit, re-encoded. */
function edited(edit: (m: OnnxTypes.ModelProto) => void, bytes: Uint8Array = exported): Uint8Array {
  const model = decodeModel(bytes);
  edit(model);
  return encodeModel(model);
}
const nodeOf = (m: OnnxTypes.ModelProto, op: string, nth = 0) => m.graph!.node!.filter((n) => n.opType === op)[nth];

const cases: [string, () => Uint8Array, RegExp][] = [
  ['an empty file', () => new Uint8Array(0), /m\.onnx: empty file, expected an ONNX model/],
  ['random bytes', () => Uint8Array.from({ length: 300 }, (_, i) => (i * 7919 + 13) % 256), /m\.onnx: not a valid ONNX (file|model)/],
  ['a truncated file', () => exported.subarray(0, Math.floor(exported.length / 2)), /m\.onnx: not a valid ONNX file \(protobuf decoding failed/],
  ['a text file', () => new TextEncoder().encode('hello world, this is not a model\n'), /m\.onnx: not a valid ONNX/],
  ['an IR version beyond onnxruntime', () => edited((m) => { m.irVersion = 99; }), /ir_version 99, .*expected ir_version 3\.\.13/],
  ['no opset_import', () => edited((m) => { m.opsetImport = []; }), /no opset_import for the default ONNX domain/],
  ['an unknown op', () => edited((m) => { nodeOf(m, 'Add').opType = 'Mul'; }),
    /node "logits\/Add" \(Mul\): unsupported op \(expected one of: .*MatMul, Add, Gemm/],
  ['a custom-domain op', () => edited((m) => { nodeOf(m, 'Transpose').opType = 'FancyTranspose'; }), /\(FancyTranspose\): unsupported op/],
  ['an LSTM with clip', () => edited((m) => { nodeOf(m, 'LSTM').attribute!.push(attr.float('clip', 3)); }),
    /node "layer0\.Y\/LSTM" \(LSTM\): unsupported attribute "clip" \(supported here: hidden_size, direction, activations, layout, input_forget\)/],
  ['a reverse LSTM', () => edited((m) => { nodeOf(m, 'LSTM').attribute!.find((a) => a.name === 'direction')!.s = new TextEncoder().encode('reverse'); }),
    /\(LSTM\): direction "reverse", expected "forward" or "bidirectional"/],
  ['layout 1', () => edited((m) => { nodeOf(m, 'LSTM', 1).attribute!.push(attr.int('layout', 1)); }), /node "layer1\.Y\/LSTM" \(LSTM\): layout 1 \(batch-major\), expected 0/],
  ['non-default LSTM activations', () => edited((m) => { nodeOf(m, 'LSTM').attribute!.push(attr.strings('activations', ['Sigmoid', 'Relu', 'Tanh'])); }),
    /activations \[sigmoid,relu,tanh\], expected the defaults \[sigmoid,tanh,tanh\]/],
  ['sequence_lens', () => edited((m) => { nodeOf(m, 'LSTM').input![4] = 'axes0'; }), /sequence_lens is given; expected it empty/],
  ['a non-zero initial state', () => edited((m) => { nodeOf(m, 'ConstantOfShape').attribute = [attr.tensor('value', floatTensor('', [1], [1]))]; }, torchGru),
    /\(ConstantOfShape\): expected a zero fill value/],
  ['final states in the wrong order (torch)', () => edited((m) => { nodeOf(m, 'Concat', 2).input!.reverse(); }, torchBiFinal),
    /head: reads final states \[1:1,1:0\] \(layer:direction\), expected the last layer's, in direction order \[1:0,1:1\]/],
  ['a head weight of the wrong width', () => edited((m) => {
    const w = m.graph!.initializer!.find((t) => t.name === 'head.W_T')!;
    m.graph!.initializer![m.graph!.initializer!.indexOf(w)] = floatTensor('head.W_T', [2, 5], new Float32Array(10));
  }), /\(MatMul\): weight has 2 rows, the features have width 3/],
  ['weights stored outside the file', () => edited((m) => { m.graph!.initializer![0].dataLocation = onnx.TensorProto.DataLocation.EXTERNAL; }),
    /initializer "\w+": tensor data stored in an external file is not supported/],
  ['a string tensor', () => edited((m) => { m.graph!.initializer![0].dataType = 8; }), /tensor of STRING is not supported/],
  ['raw_data of the wrong size', () => edited((m) => { m.graph!.initializer![0].rawData = new Uint8Array(6); }), /raw_data has 6 bytes, expected \d+ for dims/],
  ['a float token input', () => edited((m) => { m.graph!.input![0].type!.tensorType!.elemType = DataType.DOUBLE; }),
    /graph input "tokens": element type 11, expected int64\/int32 token ids or a float initial state/],
  ['the last step of a bidirectional output (torch)', () => fs.readFileSync(path.join(fixtureDir, 'refuse_gru_last_step_bi.onnx')),
    /node "\/Gather" \(Gather\): the last step of a bidirectional output is not a final state/],
  ['no recurrent layer', () => edited((m) => {
    m.graph!.node = [{ opType: 'Gather', name: 'g', input: ['embedding', 'tokens'], output: ['e'] },
      { opType: 'MatMul', name: 'mm', input: ['e', 'W'], output: ['y'] }];
    m.graph!.initializer!.push(floatTensor('W', [4, 5], new Float32Array(20)));
    m.graph!.output = [{ name: 'y' }];
  }), /graph: no RNN, GRU or LSTM node on the path to the output/],
];

describe('onnx import refuses what it cannot read, clearly', () => {
  for (const [what, bytes, message] of cases) {
    it(what, () => assert.throws(() => importModel(bytes(), 'm.onnx'), message));
  }
});
