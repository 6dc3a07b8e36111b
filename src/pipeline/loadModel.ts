// Opening a trained model for inference, for the CLI and the extension alike. MODEL is a run folder
// (its checkpoint; model.onnx when the ort backend is asked for) or an .onnx file (imported into the
// engine, or run by onnxruntime). src/onnx is required lazily: nothing loads it until it is needed.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { decodeCheckpoint } from '../engine/checkpoint';
import { isRecurrentSpec, modelKind, type AnyModelSpec } from '../engine/modelKinds';
import { createModel, type LayerActivations } from '../engine/model';
import { modelStepper, type StepModel } from '../engine/sampler';
import type { ModelSpec } from '../engine/spec';
import { inputError } from './errors';
import { checkMeta, fromOnnxMetadata, toOnnxMetadata, tokenizerOf, type ModelMeta } from './modelMeta';
import { RUN_FILES, runFile } from './runStore';
import type { Tokenizer } from './tokenizer';

export type Backend = 'engine' | 'ort';

export interface LoadedModel {
  readonly source: string;                 // the path given
  readonly backend: Backend;
  readonly spec: ModelSpec;
  /** Task, tokenizer, labels; null for a foreign .onnx without RNN Lab metadata (ids only). */
  readonly meta: ModelMeta | null;
  readonly tokenizer: Tokenizer | null;
  readonly warnings: readonly string[];
  /** Logits (T, B, C), or (B, C) for a classifier, of time-major tokens (T, B); a fresh array. */
  forward(tokens: Int32Array, T: number, B: number): Float32Array | Float64Array;
  /** Batch-1 stepping with carried state (sampling, surprisal). */
  readonly stepper: StepModel<unknown>;
  /** Hidden states and gates per layer over token ids (T), batch 1; null for the ort backend. */
  activations(tokens: Int32Array): LayerActivations[] | null;
  dispose(): void;
}

type OnnxModule = typeof import('../onnx');
const onnx = (): OnnxModule => require('../onnx') as OnnxModule;

export function loadModel(source: string, backend: Backend = 'engine'): LoadedModel {
  if (!fs.existsSync(source)) throw inputError(source, 'no such model; expected a run folder or an .onnx file');
  if (fs.statSync(source).isDirectory()) {
    const onnxFile = runFile(source, 'model');
    if (backend === 'ort') {
      if (!fs.existsSync(onnxFile)) throw inputError(source, `has no ${RUN_FILES.model} for the ort backend; export it first (rnn-lab export ${source} ${onnxFile}) or use --backend engine`);
      return loadOnnx(onnxFile, 'ort', source);
    }
    // An imported model's run folder holds model.onnx and no checkpoint.
    if (!fs.existsSync(runFile(source, 'checkpoint')) && fs.existsSync(onnxFile)) return loadOnnx(onnxFile, 'engine', source);
    return loadCheckpoint(source);
  }
  if (!source.toLowerCase().endsWith('.onnx')) throw inputError(source, 'expected a run folder or an .onnx file');
  return loadOnnx(source, backend, source);
}

function loadCheckpoint(runDir: string): LoadedModel {
  const { spec, params, meta } = readRunCheckpoint(runDir);
  const model = createModel(spec, 'f32');
  model.params.set(params);
  return engineModel(runDir, model, meta, []);
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
  if (backend === 'ort') {
    let ort;
    try {
      ort = onnx().openOrtSession(bytes);
    } catch (e) {
      throw inputError(where, `${(e as Error).message}`);
    }
    const meta = metaOf(ort.metadata, where);
    return {
      source, backend, spec: ort.spec, meta, tokenizer: meta ? tokenizerOf(meta) : null, warnings: ort.warnings,
      forward: (tokens, T, B) => ort.predict(tokens, T, B),
      stepper: ort as StepModel<unknown>,
      activations: () => null,
      dispose: () => ort.dispose(),
    };
  }
  let imported;
  try {
    imported = onnx().importModel(bytes, where);
  } catch (e) {
    throw inputError(where, `${(e as Error).message.replace(`${where}: `, '')}; expected an ONNX model of an RNN, GRU or LSTM`);
  }
  const model = createModel(imported.spec, 'f32');
  model.params.set(imported.params);
  return engineModel(source, model, metaOf(imported.metadata, where), imported.warnings);
}

function metaOf(metadata: Record<string, string>, where: string): ModelMeta | null {
  if (!Object.keys(metadata).some((k) => k.startsWith('rnnlab.'))) return null;
  try {
    return fromOnnxMetadata(metadata, where);
  } catch (e) {
    throw inputError(where, (e as Error).message.replace(`${where}: `, ''));
  }
}

function engineModel(source: string, model: ReturnType<typeof createModel>, meta: ModelMeta | null, warnings: string[]): LoadedModel {
  return {
    source, backend: 'engine', spec: model.spec, meta, tokenizer: meta ? tokenizerOf(meta) : null, warnings,
    forward: (tokens, T, B) => model.forward({ tokens, T, B }, { train: false }).logits.slice(),
    stepper: modelStepper(model) as StepModel<unknown>,
    activations: (tokens) => {
      model.forward({ tokens, T: tokens.length, B: 1 }, { train: false });
      return model.activations();
    },
    dispose: () => undefined,
  };
}

/** A run's model as ONNX bytes with its metadata (rnn-lab export, Export Model to ONNX…). */
export function exportRunToOnnx(runDir: string): Uint8Array {
  const { spec, params, meta } = readRunCheckpoint(runDir);
  return onnx().exportModel(spec, params, toOnnxMetadata(meta));
}
