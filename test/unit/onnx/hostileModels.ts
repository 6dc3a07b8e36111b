// Small .onnx files built to exhaust an importer: shared by the budget tests and scripts/probe/.
import { encodeModel, IR_VERSION, OPSET } from '../../../src/onnx/modelProto';
import type { OnnxTypes } from '../../../src/onnx/proto';
import { DataType, attr, floatTensor } from '../../../src/onnx/tensorProto';

const tokenInput: OnnxTypes.IValueInfoProto = {
  name: 'tokens', type: { tensorType: { elemType: DataType.INT64, shape: { dim: [{ dimParam: 'T' }, { dimParam: 'B' }] } } },
};
const model = (nodes: OnnxTypes.INodeProto[], initializer: OnnxTypes.ITensorProto[], output: string): Uint8Array => encodeModel({
  irVersion: IR_VERSION, opsetImport: [{ domain: '', version: OPSET }], producerName: 'hostile',
  graph: { name: 'g', node: nodes, initializer, input: [tokenInput], output: [{ name: output }] },
});

/**
 * One initializer of `width` floats concatenated `copies` times by one Concat node: the file is about
 * 3 bytes a copy plus the initializer (20,000 × 10,240: ~100 KB), the folded result copies × width floats.
 */
export function concatAmplification(copies = 20_000, width = 10_240): Uint8Array {
  return model([{ opType: 'Concat', name: 'amplify', input: Array(copies).fill('w'), output: ['big'], attribute: [attr.int('axis', 0)] }],
    [floatTensor('w', [width], new Float32Array(width).fill(1))], 'big');
}

/** A chain of Concat nodes, each doubling the previous result: 2^depth × width floats from a few hundred bytes. */
export function doublingChain(depth = 40, width = 16): Uint8Array {
  const nodes = Array.from({ length: depth }, (_, k) => ({
    opType: 'Concat', name: `double${k}`, input: [k === 0 ? 'w' : `x${k - 1}`, k === 0 ? 'w' : `x${k - 1}`], output: [`x${k}`], attribute: [attr.int('axis', 0)],
  }));
  return model(nodes, [floatTensor('w', [width], new Float32Array(width))], `x${depth - 1}`);
}

/** An initializer whose dims claim `elements` float32 values and whose raw data holds none. */
export function hugeClaimedInitializer(dims: number[] = [1 << 20, 1 << 20]): Uint8Array {
  return model([{ opType: 'Identity', name: 'id', input: ['w'], output: ['y'] }],
    [{ name: 'w', dims, dataType: DataType.FLOAT, rawData: new Uint8Array(0) }], 'y');
}
