// The inference worker's open models: loaded once through the pipeline's loadModel (recurrent) or
// loadSeq2Seq (an encoder/decoder pair), reloaded when a file under them changes (a run still
// training writes new checkpoints). Node-level, no vscode.
// With the WASM kernels each model gets a WASM engine (arena and kernels) of its own, made active
// whenever the model is taken from the cache: the arena never frees, so a model's buffers go with
// its engine when the model is dropped (reloaded, evicted), instead of piling up in one arena.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { inputError } from '../errors';
import { activateWasmEngine, activeWasmEngine, createWasmEngine, type WasmEngine } from '../../engine/wasm';
import { loadModel, runModelFile, type LoadedModel } from '../loadModel';
import { isSeq2SeqModel, loadSeq2Seq, seq2seqFilesOf, type LoadedSeq2Seq } from '../seq2seq/model';
import type { ModelInfo, ModelRef } from '../../protocol/inference';

interface OpenCommon {
  readonly key: string;                  // path, backend and the files' mtimes: changes when the model does
  readonly info: ModelInfo;
  /** The model's own WASM engine (null on the reference kernels, or for the ort backend). */
  readonly engine: WasmEngine | null;
}

/** A recurrent model (lm, tag, classify). */
export interface OpenModel extends OpenCommon {
  readonly kind: 'recurrent';
  readonly loaded: LoadedModel;
}

/** A seq2seq model (encoder and decoder). */
export interface OpenSeq2Seq extends OpenCommon {
  readonly kind: 'seq2seq';
  readonly loaded: LoadedSeq2Seq;
}

export type OpenAnyModel = OpenModel | OpenSeq2Seq;

/** Models kept open at once; the least recently used is dropped past this. */
const MAX_OPEN = 4;

/**
 * The files a model path's weights are read from: an .onnx file itself, a seq2seq pair (a run
 * folder's encoder.onnx and decoder.onnx, or either file of a pair), a run folder's model.onnx or,
 * before it saved one, its checkpoint (see runModelFile).
 */
export function modelFiles(ref: ModelRef): string[] {
  if (!fs.existsSync(ref.path)) throw inputError(ref.path, 'no such model; expected a run folder or an .onnx file');
  const pair = seq2seqFilesOf(ref.path);
  if (pair) return [pair.encoder, pair.decoder].filter((f) => fs.existsSync(f));   // a missing one: loadSeq2Seq says which
  if (!fs.statSync(ref.path).isDirectory()) return [ref.path];
  return [runModelFile(ref.path)];
}

export class ModelCache {
  private readonly open = new Map<string, OpenAnyModel>();   // by path + backend

  /** A recurrent model; a seq2seq one is an input error that says what to use instead. */
  get(ref: ModelRef): OpenModel {
    const model = this.any(ref);
    if (model.kind === 'seq2seq') throw inputError(ref.path, 'is a seq2seq model; use Show Attention or Label Tokens in Editor on it (or rnn-lab translate)');
    return model;
  }

  /** A seq2seq model; a recurrent one is an input error. */
  seq2seq(ref: ModelRef): OpenSeq2Seq {
    const model = this.any(ref);
    if (model.kind !== 'seq2seq') throw inputError(ref.path, `is a ${model.info.task} model; this needs a seq2seq model (task seq2seq)`);
    return model;
  }

  /** Whatever model the path holds, opened or taken from the cache. */
  any(ref: ModelRef): OpenAnyModel {
    const files = modelFiles(ref);
    const key = `${path.resolve(ref.path)}|${ref.backend}|${files.map((f) => fs.statSync(f).mtimeMs).join('|')}`;
    const slot = `${path.resolve(ref.path)}|${ref.backend}`;
    const cached = this.open.get(slot);
    this.open.delete(slot);   // re-inserted below: the Map's order is least recently used first
    if (cached?.key === key) {
      this.open.set(slot, cached);
      if (cached.engine) activateWasmEngine(cached.engine);
      return cached;
    }
    if (cached) drop(cached);
    const engine = ref.backend === 'engine' && activeWasmEngine() ? createWasmEngine({ threads: 1 }) : null;
    if (engine) activateWasmEngine(engine);
    const opened = openModel(key, ref, engine);
    this.open.set(slot, opened);
    while (this.open.size > MAX_OPEN) {
      const [oldest, model] = this.open.entries().next().value as [string, OpenAnyModel];
      this.open.delete(oldest);
      drop(model);
    }
    return opened;
  }

  dispose(): void {
    for (const m of this.open.values()) drop(m);
    this.open.clear();
  }
}

function drop(model: OpenAnyModel): void {
  model.loaded.dispose();
  model.engine?.kernels.stopSecondThread();
}

/** seq2seq: a pair of files, or a run folder whose only model so far is a seq2seq checkpoint. */
function holdsSeq2Seq(ref: ModelRef): boolean {
  if (seq2seqFilesOf(ref.path)) return true;
  return fs.statSync(ref.path).isDirectory() && !runModelFile(ref.path).endsWith('.onnx') && isSeq2SeqModel(ref.path);
}

function openModel(key: string, ref: ModelRef, engine: WasmEngine | null): OpenAnyModel {
  if (holdsSeq2Seq(ref)) {
    const loaded = loadSeq2Seq(ref.path, ref.backend);
    const info: ModelInfo = {
      task: 'seq2seq', labels: [], tokenizer: loaded.meta.tokenizer.kind, vocabSize: loaded.spec.sourceVocab, cell: loaded.spec.cell, warnings: [],
    };
    return { kind: 'seq2seq', key, loaded, info, engine };
  }
  const loaded = loadModel(ref.path, ref.backend);
  const meta = loaded.meta;
  const info: ModelInfo = {
    task: meta?.task ?? 'unknown', labels: meta?.labels ?? [], tokenizer: meta?.tokenizer.kind ?? 'char',
    vocabSize: loaded.spec.vocabSize, cell: loaded.spec.cell, warnings: loaded.warnings,
  };
  return { kind: 'recurrent', key, loaded, info, engine };
}
