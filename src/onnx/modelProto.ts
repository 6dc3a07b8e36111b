// Encoding and decoding whole ONNX ModelProto files, with errors that say what is wrong with the bytes.
import { onnx, type OnnxTypes } from './proto';
import { toNumber } from './tensorProto';

export const OPSET = 14;
export const IR_VERSION = 8;
/** onnxruntime 1.30 reads IR versions up to 13. */
const MAX_IR_VERSION = 13;

export function encodeModel(model: OnnxTypes.IModelProto): Uint8Array {
  return onnx.ModelProto.encode(model).finish();
}

/** Decodes and sanity-checks a ModelProto; `source` (a file name) prefixes every error. */
export function decodeModel(bytes: Uint8Array, source = 'model'): OnnxTypes.ModelProto {
  if (bytes.byteLength === 0) throw new Error(`${source}: empty file, expected an ONNX model`);
  let model: OnnxTypes.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (err) {
    throw new Error(`${source}: not a valid ONNX file (protobuf decoding failed: ${(err as Error).message})`);
  }
  const ir = toNumber(model.irVersion, `${source}: ir_version`);
  // Random bytes sometimes decode as a protobuf message; a real model has an IR version and a graph.
  const nodeCount = model.graph?.node?.length ?? 0;
  if (ir < 3 || ir > MAX_IR_VERSION || nodeCount === 0) {
    throw new Error(`${source}: not a valid ONNX model (ir_version ${ir}, ${model.graph ? `${nodeCount} nodes` : 'no graph'}; ` +
      `expected ir_version 3..${MAX_IR_VERSION} and a graph with nodes)`);
  }
  const opset = defaultOpset(model);
  if (opset === null) throw new Error(`${source}: no opset_import for the default ONNX domain`);
  return model;
}

/** The version of the default ("" or "ai.onnx") operator set, or null when not imported. */
export function defaultOpset(model: OnnxTypes.IModelProto): number | null {
  const entry = (model.opsetImport ?? []).find((o) => !o.domain || o.domain === 'ai.onnx');
  return entry ? toNumber(entry.version, 'opset_import.version') : null;
}

export function metadataOf(model: OnnxTypes.IModelProto): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of model.metadataProps ?? []) out[p.key ?? ''] = p.value ?? '';
  return out;
}
