// encoder.onnx + decoder.onnx written by RNN Lab → the engine's Seq2SeqSpec and flat params
// (seq2seqLayout order), so the engine backend runs the very weights the ort backend runs. Each
// parameter is the initializer of its own name in one of the two files, or its transpose `<name>_T`
// (MatMul operands), or for attention.v the column `attention.v_col`; see seq2seqExport.ts.
import { ImportBudget } from './budget';
import { seq2seqLayout, seq2seqParamCount, type Seq2SeqSpec } from '../engine/seq2seq/spec';
import { decodeModel, metadataOf } from './modelProto';
import { seq2seqSpecOf } from './seq2seqExport';
import { readTensor } from './tensorProto';

export interface ImportedSeq2Seq {
  readonly spec: Seq2SeqSpec;
  readonly params: Float32Array;
  readonly metadata: Record<string, string>;
}

export function importSeq2Seq(encoderBytes: Uint8Array, decoderBytes: Uint8Array, names = { encoder: 'encoder.onnx', decoder: 'decoder.onnx' }): ImportedSeq2Seq {
  const files = [
    { name: names.encoder, model: decodeModel(encoderBytes, names.encoder) },
    { name: names.decoder, model: decodeModel(decoderBytes, names.decoder) },
  ];
  const metadata = metadataOf(files[1].model);
  const spec = seq2seqSpecOf(metadata, names.decoder);
  if (JSON.stringify(seq2seqSpecOf(metadataOf(files[0].model), names.encoder)) !== JSON.stringify(spec)) {
    throw new Error(`${names.encoder} and ${names.decoder} describe different models; expected the pair written by one run`);
  }
  const tensors = new Map<string, { file: string; data: Float32Array; dims: number[] }>();
  const budget = ImportBudget.forFile(encoderBytes.byteLength + decoderBytes.byteLength);
  for (const { name, model } of files) {
    for (const t of model.graph?.initializer ?? []) {
      if (!t.name) continue;
      const value = readTensor(t, `${name}: initializer ${t.name}`, budget);
      if (value.type === 'float') tensors.set(t.name, { file: name, data: value.data, dims: value.dims });
    }
  }
  const params = new Float32Array(seq2seqParamCount(spec));
  for (const entry of seq2seqLayout(spec)) {
    const direct = tensors.get(entry.name), transposed = tensors.get(`${entry.name}_T`), column = tensors.get(`${entry.name}_col`);
    const target = params.subarray(entry.offset, entry.offset + entry.size);
    if (direct && direct.data.length === entry.size) target.set(direct.data);
    else if (column && column.data.length === entry.size) target.set(column.data);
    else if (transposed && transposed.data.length === entry.size && entry.shape.length === 2) {
      const [rows, cols] = entry.shape;
      for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) target[r * cols + c] = transposed.data[c * rows + r];
    } else {
      throw new Error(`${names.encoder}/${names.decoder}: no initializer for ${entry.name} [${entry.shape}] (expected files written by RNN Lab's seq2seq export)`);
    }
  }
  return { spec, params, metadata };
}
