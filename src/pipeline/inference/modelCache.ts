// The inference worker's open models: loaded once through the pipeline's loadModel, reloaded when the
// file under them changes (a run still training writes new checkpoints). Node-level, no vscode.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { inputError } from '../errors';
import { loadModel, type LoadedModel } from '../loadModel';
import { RUN_FILES, runFile } from '../runStore';
import type { ModelInfo, ModelRef } from '../../protocol/inference';

export interface OpenModel {
  readonly key: string;                  // path, backend and the file's mtime: changes when the model does
  readonly loaded: LoadedModel;
  readonly info: ModelInfo;
}

/**
 * The file a model path stands for: a run folder's checkpoint, or its model.onnx when it has no
 * checkpoint (an imported run) or the ort backend is asked for; an .onnx file itself.
 */
export function modelFile(ref: ModelRef): { file: string; loadPath: string } {
  if (!fs.existsSync(ref.path)) throw inputError(ref.path, 'no such model; expected a run folder or an .onnx file');
  if (!fs.statSync(ref.path).isDirectory()) return { file: ref.path, loadPath: ref.path };
  const checkpoint = runFile(ref.path, 'checkpoint');
  const onnx = runFile(ref.path, 'model');
  if (ref.backend === 'ort' || !fs.existsSync(checkpoint)) {
    if (fs.existsSync(onnx)) return { file: onnx, loadPath: ref.backend === 'ort' ? ref.path : onnx };
    throw inputError(ref.path, `has no ${RUN_FILES.checkpoint} or ${RUN_FILES.model} yet; expected a run that has saved a model`);
  }
  return { file: checkpoint, loadPath: ref.path };
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
