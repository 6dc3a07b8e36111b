// The inference worker's open models: loaded once through the pipeline's loadModel, reloaded when the
// file under them changes (a run still training writes new checkpoints). Node-level, no vscode.
// With the WASM kernels each model gets a WASM engine (arena and kernels) of its own, made active
// whenever the model is taken from the cache: the arena never frees, so a model's buffers go with
// its engine when the model is dropped (reloaded, evicted), instead of piling up in one arena.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { inputError } from '../errors';
import { activateWasmEngine, activeWasmEngine, createWasmEngine, type WasmEngine } from '../../engine/wasm';
import { loadModel, runModelFile, type LoadedModel } from '../loadModel';
import type { ModelInfo, ModelRef } from '../../protocol/inference';

export interface OpenModel {
  readonly key: string;                  // path, backend and the file's mtime: changes when the model does
  readonly loaded: LoadedModel;
  readonly info: ModelInfo;
  /** The model's own WASM engine (null on the reference kernels, or for the ort backend). */
  readonly engine: WasmEngine | null;
}

/** Models kept open at once; the least recently used is dropped past this. */
const MAX_OPEN = 4;

/** The file a model path stands for (a run folder's model.onnx, see runModelFile; an .onnx file itself). */
export function modelFile(ref: ModelRef): { file: string; loadPath: string } {
  if (!fs.existsSync(ref.path)) throw inputError(ref.path, 'no such model; expected a run folder or an .onnx file');
  if (!fs.statSync(ref.path).isDirectory()) return { file: ref.path, loadPath: ref.path };
  return { file: runModelFile(ref.path), loadPath: ref.path };
}

export class ModelCache {
  private readonly open = new Map<string, OpenModel>();   // by path + backend

  get(ref: ModelRef): OpenModel {
    const { file, loadPath } = modelFile(ref);
    const key = `${path.resolve(ref.path)}|${ref.backend}|${fs.statSync(file).mtimeMs}`;
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
    const opened = open(key, loadModel(loadPath, ref.backend), engine);
    this.open.set(slot, opened);
    while (this.open.size > MAX_OPEN) {
      const [oldest, model] = this.open.entries().next().value as [string, OpenModel];
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

function drop(model: OpenModel): void {
  model.loaded.dispose();
  model.engine?.kernels.stopSecondThread();
}

function open(key: string, loaded: LoadedModel, engine: WasmEngine | null): OpenModel {
  const meta = loaded.meta;
  const info: ModelInfo = {
    task: meta?.task ?? 'unknown', labels: meta?.labels ?? [], tokenizer: meta?.tokenizer.kind ?? 'char',
    vocabSize: loaded.spec.vocabSize, cell: loaded.spec.cell, warnings: loaded.warnings,
  };
  return { key, loaded, info, engine };
}
