// ONNX bytes → engine ModelSpec + flat float32 params (paramLayout order), for RNN Lab's own exports
// and torch.onnx.export'ed nn.Embedding + nn.RNN/GRU/LSTM + nn.Linear models.
//
// torch.onnx.export already writes W/R/B in ONNX gate order (PyTorch's LSTM i,f,g,o → ONNX i,o,f,c is
// [0,3,1,2]; GRU r,z,n → z,r,h is [1,0,2]), so recognised weights are copied as they are.
import { paramCount, paramLayout, type ModelSpec } from '../engine/spec';
import { ImportBudget } from './budget';
import { recogniseGraph } from './importGraph';
import { decodeModel, defaultOpset, metadataOf } from './modelProto';

export interface ImportedModel {
  readonly spec: ModelSpec;
  readonly params: Float32Array;
  readonly metadata: Record<string, string>;
  readonly warnings: string[];
  /** How the original graph lays out its token input and per-step logits (torch's batch_first). */
  readonly layout: { readonly idsBatchFirst: boolean; readonly logitsBatchFirst: boolean };
}

const MIN_OPSET = 7;
/** Keys written by src/pipeline/modelMeta.ts (vocabulary, tokenizer, task, labels, config). */
const RNN_LAB_METADATA_PREFIX = 'rnnlab.';

/** True when the V×V table is exactly the identity: a one-hot input written as Gather from identity. */
function isIdentity(table: Float32Array, V: number, E: number): boolean {
  if (V !== E) return false;
  for (let i = 0; i < V; i++) for (let j = 0; j < V; j++) if (table[i * V + j] !== (i === j ? 1 : 0)) return false;
  return true;
}

export function importModel(bytes: Uint8Array, source = 'model.onnx'): ImportedModel {
  const model = decodeModel(bytes, source);
  const opset = defaultOpset(model)!;
  if (opset < MIN_OPSET) throw new Error(`${source}: opset ${opset}, expected ${MIN_OPSET} or later`);
  let found;
  try {
    found = recogniseGraph(model.graph!, ImportBudget.forFile(bytes.byteLength));
  } catch (err) {
    throw new Error(`${source}: ${(err as Error).message}`);
  }
  const warnings: string[] = [];
  const metadata = metadataOf(model);
  if (!Object.keys(metadata).some((key) => key.startsWith(RNN_LAB_METADATA_PREFIX))) {
    warnings.push(`${source}: no RNN Lab metadata (vocabulary, tokenizer, task); the model works on token ids (predict --ids)`);
  }
  const first = found.layers[0];
  const oneHot = found.table === null || isIdentity(found.table, found.vocabSize, found.embedWidth);
  const spec: ModelSpec = {
    cell: first.cell,
    vocabSize: found.vocabSize,
    embedding: oneHot ? 0 : found.embedWidth,
    hidden: first.hidden,
    layers: found.layers.length,
    bidirectional: first.directions === 2,
    peephole: first.P !== null,
    resetAfter: first.resetAfter ?? true,
    activation: first.activation,
    dropout: 0,
    outputs: found.outputs,
    head: found.headKind ?? 'softmax',
    manyToOne: found.manyToOne,
  };
  const params = new Float32Array(paramCount(spec));
  const put = (name: string, data: ArrayLike<number> | null) => {
    const entry = paramLayout(spec).find((e) => e.name === name)!;
    if (data === null) return;                                  // an absent B stays zero
    if (data.length !== entry.size) throw new Error(`${source}: ${name} has ${data.length} values, expected ${entry.size} [${entry.shape}]`);
    params.set(data, entry.offset);
  };
  if (!oneHot) put('embedding', found.table!);
  found.layers.forEach((layer, l) => {
    put(`layer${l}.W`, layer.W.data);
    put(`layer${l}.R`, layer.R.data);
    put(`layer${l}.B`, layer.B?.data ?? null);
    if (spec.peephole) put(`layer${l}.P`, layer.P!.data);
  });
  put('head.W', found.headW);
  put('head.b', found.headB);
  if (found.headKind === null) warnings.push(`${source}: the graph outputs raw logits only; assuming a softmax head`);
  if (found.firstOutput.op) {
    warnings.push(`${source}: output "${found.firstOutput.name}" is the ${found.firstOutput.op} of the logits; RNN Lab works with (and predict prints) the logits before it`);
  }
  return { spec, params, metadata, warnings, layout: { idsBatchFirst: found.idsBatchFirst, logitsBatchFirst: found.logitsBatchFirst } };
}
