// The inference worker's open models: loaded once through the pipeline's loadModel, reloaded when the
// file under them changes (a run still training writes new checkpoints). Node-level, no vscode.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { inputError } from '../errors';
import { loadModel, runModelFile, type LoadedModel } from '../loadModel';
import type { ModelInfo, ModelRef } from '../../protocol/inference';

export interface OpenModel {
  readonly key: string;                  // path, backend and the file's mtime: changes when the model does
  readonly loaded: LoadedModel;
  readonly info: ModelInfo;
}

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
    if (cached?.key === key) return cached;
    cached?.loaded.dispose();
    this.open.delete(slot);
    const loaded = loadModel(loadPath, ref.backend);
    const opened = open(key, loaded);
    this.open.set(slot, opened);
    return opened;
  }

  dispose(): void {
    for (const m of this.open.values()) m.loaded.dispose();
    this.open.clear();
  }
}

function open(key: string, loaded: LoadedModel): OpenModel {
  const meta = loaded.meta;
  const info: ModelInfo = {
    task: meta?.task ?? 'unknown', labels: meta?.labels ?? [], tokenizer: meta?.tokenizer.kind ?? 'char',
    vocabSize: loaded.spec.vocabSize, cell: loaded.spec.cell, warnings: loaded.warnings,
  };
  return { key, loaded, info };
}
