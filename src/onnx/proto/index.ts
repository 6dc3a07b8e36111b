// The ONNX protobuf messages: generated static code (onnx.generated.ts) typed by its pbts declarations (onnx.d.ts).
// Regenerate both with `node scripts/gen-onnx-proto.mjs`.
import type * as OnnxProto from './onnx';
import * as generated from './onnx.generated';

export const onnx = (generated as unknown as typeof OnnxProto).onnx;
export type { onnx as OnnxTypes } from './onnx';
