// Which model to run: a run from the Runs folders or an .onnx file. Commands take it as an argument
// (a Runs view item, a run folder, an .onnx Uri or path) or ask with a quick pick; the last choice is
// remembered (per document for labels, per workspace otherwise).
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { listRuns } from '../../pipeline/runStore';
import type { InferenceBackend, ModelRef } from '../../protocol/inference';
import { allRunsFolders } from '../training/runsFolder';

const LAST_MODEL_KEY = 'rnnLab.inference.lastModel';
const documentModelKey = (uri: vscode.Uri) => `rnnLab.inference.model:${uri.toString()}`;

export function backendSetting(): InferenceBackend {
  return vscode.workspace.getConfiguration('rnnLab').get<InferenceBackend>('onnx.backend') === 'ort' ? 'ort' : 'engine';
}

/** A model path from a command argument: Runs view item, { dir }, { model }, Uri or path; else undefined. */
export function modelPathOf(arg: unknown): string | undefined {
  if (typeof arg === 'string' && arg) return path.resolve(arg);
  if (arg instanceof vscode.Uri) return arg.scheme === 'file' ? arg.fsPath : undefined;
  if (arg && typeof arg === 'object') {
    const o = arg as { dir?: unknown; model?: unknown };
    if (typeof o.dir === 'string') return path.resolve(o.dir);
    if (typeof o.model === 'string') return path.resolve(o.model);
  }
  return undefined;
}

export const modelRef = (modelPath: string): ModelRef => ({ path: modelPath, backend: backendSetting() });

/** Short name of a model for titles: the run folder's or the file's name. */
export const modelName = (modelPath: string): string => path.basename(modelPath);

export class ModelMemory {
  constructor(private readonly state: vscode.Memento) {}

  last(): string | undefined {
    const p = this.state.get<string>(LAST_MODEL_KEY);
    return p && fs.existsSync(p) ? p : undefined;
  }

  forDocument(uri: vscode.Uri): string | undefined {
    const p = this.state.get<string>(documentModelKey(uri));
    return p && fs.existsSync(p) ? p : undefined;
  }

  remember(modelPath: string, document?: vscode.Uri): void {
    void this.state.update(LAST_MODEL_KEY, modelPath);
    if (document) void this.state.update(documentModelKey(document), modelPath);
  }
}

interface ModelItem extends vscode.QuickPickItem {
  readonly modelPath?: string;
  readonly browse?: boolean;
}

/** Runs that hold a model (checkpoint or model.onnx), newest first. */
export function runModels(): { id: string; dir: string; task: string; status: string }[] {
  return allRunsFolders().flatMap((folder) => listRuns(folder))
    .filter((r) => fs.existsSync(path.join(r.dir, 'checkpoint.bin')) || fs.existsSync(path.join(r.dir, 'model.onnx')))
    .map((r) => ({ id: r.id, dir: r.dir, task: r.task, status: r.status }));
}

/** Asks for a model: the runs (tasks filtered), then "Open ONNX model…". */
export async function pickModel(title: string, tasks: readonly string[], memory: ModelMemory): Promise<string | undefined> {
  const last = memory.last();
  const items: ModelItem[] = runModels()
    .filter((r) => tasks.includes(r.task))
    .map((r) => ({ label: r.id, description: `${r.task} · ${r.status}`, detail: r.dir, modelPath: r.dir }));
  if (last) {
    const i = items.findIndex((it) => it.modelPath && path.resolve(it.modelPath) === path.resolve(last));
    const [recent] = i >= 0 ? items.splice(i, 1) : [{ label: path.basename(last), detail: last, modelPath: last } as ModelItem];
    items.unshift({ ...recent, description: `${recent.description ?? ''} (last used)`.trim() });
  }
  items.push({ label: '$(folder-opened) Open ONNX Model…', description: 'an .onnx file', browse: true });
  const picked = await vscode.window.showQuickPick(items, {
    title, placeHolder: items.length > 1 ? 'Pick a trained run or an ONNX model' : 'No trained runs yet: open an ONNX model',
    matchOnDescription: true,
  });
  if (!picked) return undefined;
  if (!picked.browse) return picked.modelPath;
  const files = await vscode.window.showOpenDialog({
    title, canSelectMany: false, openLabel: 'Use Model', filters: { 'ONNX model': ['onnx'] },
    defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
  });
  return files?.[0]?.fsPath;
}
