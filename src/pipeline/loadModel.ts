// Opening a trained model for inference, for the CLI and the extension alike. MODEL is a run folder or
// an .onnx file (imported into the engine, or run by onnxruntime). A run folder stands for its
// model.onnx: the lowest-validation-loss model when the run has validation data, else the latest
// (DESIGN.md §4), so eval, label, sample, predict, export and the editor all use the model early
// stopping kept; only a run that has not written model.onnx yet is read from its checkpoint.
// src/onnx is required lazily: nothing loads it until it is needed.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { decodeCheckpoint } from '../engine/checkpoint';
import { isRecurrentSpec, modelKind, type AnyModelSpec } from '../engine/modelKinds';
import { createModel, type LayerActivations } from '../engine/model';
import { modelStepper, type StepModel } from '../engine/sampler';
import type { ModelSpec } from '../engine/spec';
import { engineWindows, type WindowModel } from './eval/lmScorer';
import { inputError } from './errors';
import { checkMeta, fromOnnxMetadata, stepOfMetadata, toOnnxMetadata, tokenizerOf, type ModelMeta } from './modelMeta';
import { RUN_FILES, runFile } from './runStore';
import type { Tokenizer } from './tokenizer';
import type { OrtModel, OrtState } from '../onnx/ort';

export type Backend = 'engine' | 'ort';

export interface LoadedModel {
  readonly source: string;                 // the path given
  readonly backend: Backend;
  readonly spec: ModelSpec;
  /** Task, tokenizer, labels; null for a foreign .onnx without RNN Lab metadata (ids only). */
  readonly meta: ModelMeta | null;
  readonly tokenizer: Tokenizer | null;
  readonly warnings: readonly string[];
  /** The training step of the weights (rnnlab.step, or the checkpoint's), when known. */
  readonly step?: number;
  /**
   * Logits (T, B, C), or (B, C) for a classifier, of time-major tokens (T, B); a fresh array. With
   * `lengths` (B), sequence b is tokens t < lengths[b] (padding after it gives zero rows).
   */
  forward(tokens: Int32Array, T: number, B: number, lengths?: Int32Array): Float32Array | Float64Array;
  /** Batch-1 stepping with carried state (sampling). */
  readonly stepper: StepModel<unknown>;
  /** Batch-1 windows of tokens with carried state (surprisal, lm evaluation). */
  readonly windows: WindowModel;
  /** Hidden states and gates per layer over token ids (T), batch 1; null for the ort backend. */
  activations(tokens: Int32Array): LayerActivations[] | null;
  dispose(): void;
}

type OnnxModule = typeof import('../onnx');
const onnx = (): OnnxModule => require('../onnx') as OnnxModule;

export function loadModel(source: string, backend: Backend = 'engine'): LoadedModel {
  if (!fs.existsSync(source)) throw inputError(source, 'no such model; expected a run folder or an .onnx file');
  if (fs.statSync(source).isDirectory()) {
    if (fs.existsSync(runFile(source, 'encoder'))) throw inputError(source, 'holds a seq2seq model (encoder.onnx, decoder.onnx); use rnn-lab translate, label or eval on it');
    const file = runModelFile(source);
    if (file.endsWith('.onnx')) return loadOnnx(file, backend, source);
    return loadCheckpoint(source, backend);
  }
  if (!source.toLowerCase().endsWith('.onnx')) throw inputError(source, 'expected a run folder or an .onnx file');
  return loadOnnx(source, backend, source);
}

/**
 * The file a run folder's model is read from: model.onnx (an imported run has only that), else
 * checkpoint.bin (a run that has not saved model.onnx yet).
 */
export function runModelFile(runDir: string): string {
  const onnxFile = runFile(runDir, 'model');
  if (fs.existsSync(onnxFile)) return onnxFile;
  const checkpoint = runFile(runDir, 'checkpoint');
  if (fs.existsSync(checkpoint)) return checkpoint;
  throw inputError(runDir, `has no ${RUN_FILES.checkpoint} or ${RUN_FILES.model} yet; expected a run that has saved a model`);
}

function loadCheckpoint(runDir: string, backend: Backend): LoadedModel {
  const { spec, params, meta, step } = readRunCheckpoint(runDir);
  if (backend === 'ort') return ortModel(onnx().exportModel(spec, params, toOnnxMetadata(meta, step)), runDir, runDir);
  const model = createModel(spec, 'f32');
  model.params.set(params);
  return engineModel(runDir, model, meta, [], step);
}

/** A run's trained weights and metadata, from its checkpoint (bad or missing: InputError). */
export function readRunCheckpoint(runDir: string): { spec: ModelSpec; params: Float32Array; meta: ModelMeta; step: number } {
  const { spec, ...rest } = readAnyRunCheckpoint(runDir);
  if (!isRecurrentSpec(spec)) throw inputError(runDir, `holds a ${modelKind(spec)} model; this command needs a recurrent (lm, tag, classify) model`);
  return { spec, ...rest };
}

/** A run's checkpointed weights and metadata, whatever the model kind. */
export function readAnyRunCheckpoint(runDir: string): { spec: AnyModelSpec; params: Float32Array; meta: ModelMeta; step: number } {
  if (!fs.existsSync(runDir) || !fs.statSync(runDir).isDirectory()) throw inputError(runDir, 'no such run folder');
  const file = runFile(runDir, 'checkpoint');
  if (!fs.existsSync(file)) throw inputError(runDir, `has no ${RUN_FILES.checkpoint}; expected a run folder with a trained model`);
  let checkpoint;
  try {
    checkpoint = decodeCheckpoint(new Uint8Array(fs.readFileSync(file)), path.basename(file));
  } catch (e) {
    throw inputError(file, `cannot be read (${(e as Error).message}); expected a checkpoint written by RNN Lab`);
  }
  let meta: ModelMeta;
  try {
    meta = checkMeta((checkpoint.extra as { meta?: unknown } | null)?.meta, path.basename(file));
  } catch (e) {
    throw inputError(file, (e as Error).message);
  }
  return { spec: checkpoint.spec, params: Float32Array.from(checkpoint.params), meta, step: checkpoint.step };
}

function loadOnnx(file: string, backend: Backend, source: string): LoadedModel {
  const bytes = new Uint8Array(fs.readFileSync(file));
  const where = path.basename(file);
  if (backend === 'ort') return ortModel(bytes, where, source);
  let imported;
  try {
    imported = onnx().importModel(bytes, where);
  } catch (e) {
    throw inputError(where, `${(e as Error).message.replace(`${where}: `, '')}; expected an ONNX model of an RNN, GRU or LSTM`);
  }
  const model = createModel(imported.spec, 'f32');
  model.params.set(imported.params);
  return engineModel(source, model, metaOf(imported.metadata, where), imported.warnings, stepOfMetadata(imported.metadata));
}

function ortModel(bytes: Uint8Array, where: string, source: string): LoadedModel {
  let ort;
  try {
    ort = onnx().openOrtSession(bytes);
  } catch (e) {
    throw inputError(where, `${(e as Error).message}`);
  }
  const meta = metaOf(ort.metadata, where);
  return {
    source, backend: 'ort', spec: ort.spec, meta, tokenizer: meta ? tokenizerOf(meta) : null, warnings: ort.warnings,
    step: stepOfMetadata(ort.metadata),
    forward: (tokens, T, B, lengths) => (lengths && lengths.some((n) => n !== T) ? ortPadded(ort, tokens, T, B, lengths) : ort.predict(tokens, T, B)),
    stepper: ort as StepModel<unknown>,
    windows: { initialState: () => ort.initialState(), window: (tokens, state) => ort.window(tokens, state as OrtState) },
    activations: () => null,
    dispose: () => ort.dispose(),
  };
}

function metaOf(metadata: Record<string, string>, where: string): ModelMeta | null {
  if (!Object.keys(metadata).some((k) => k.startsWith('rnnlab.'))) return null;
  try {
    return fromOnnxMetadata(metadata, where);
  } catch (e) {
    throw inputError(where, (e as Error).message.replace(`${where}: `, ''));
  }
}

/** onnxruntime's graph has no sequence lengths: a padded batch runs one sequence at a time. */
function ortPadded(ort: OrtModel, tokens: Int32Array, T: number, B: number, lengths: Int32Array): Float32Array {
  const C = ort.spec.outputs, manyToOne = ort.spec.manyToOne;
  const out = new Float32Array((manyToOne ? B : T * B) * C);
  for (let b = 0; b < B; b++) {
    const n = lengths[b];
    const one = ort.predict(Int32Array.from({ length: n }, (_, t) => tokens[t * B + b]), n, 1);
    if (manyToOne) out.set(one, b * C);
    else for (let t = 0; t < n; t++) out.set(one.subarray(t * C, (t + 1) * C), (t * B + b) * C);
  }
  return out;
}

function engineModel(source: string, model: ReturnType<typeof createModel>, meta: ModelMeta | null, warnings: string[], step: number | undefined): LoadedModel {
  return {
    source, backend: 'engine', spec: model.spec, meta, tokenizer: meta ? tokenizerOf(meta) : null, warnings, step,
    forward: (tokens, T, B, lengths) => model.forward({ tokens, T, B, lengths }, { train: false }).logits.slice(),
    stepper: modelStepper(model) as StepModel<unknown>,
    windows: engineWindows(model) as WindowModel,
    activations: (tokens) => {
      model.forward({ tokens, T: tokens.length, B: 1 }, { train: false });
      return model.activations();
    },
    dispose: () => undefined,
  };
}

/** A run's model as ONNX bytes with its metadata (rnn-lab export, Export Model to ONNX…): its model.onnx. */
export function exportRunToOnnx(runDir: string): Uint8Array {
  if (!fs.existsSync(runDir) || !fs.statSync(runDir).isDirectory()) throw inputError(runDir, 'no such run folder');
  const file = runModelFile(runDir);
  if (file.endsWith('.onnx')) return new Uint8Array(fs.readFileSync(file));
  const { spec, params, meta, step } = readRunCheckpoint(runDir);
  return onnx().exportModel(spec, params, toOnnxMetadata(meta, step));
}
