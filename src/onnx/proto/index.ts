// The ONNX protobuf messages: generated static code (onnx.generated.ts) typed by its pbts declarations (onnx.d.ts).
// Regenerate both with `node scripts/gen-onnx-proto.mjs`.
import type * as OnnxProto from './onnx';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const generated: typeof OnnxProto = require('./onnx.generated');

export const onnx = generated.onnx;
export type { onnx as OnnxTypes } from './onnx';
