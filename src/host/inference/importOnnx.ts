// Import ONNX Model…: an .onnx file becomes a run folder (status imported, the file as model.onnx) so
// the Runs view lists it and it can be sampled, labelled and inspected like a trained run. The model
// is first loaded in the inference worker (never on this thread: a hostile file can take memory and
// time there, within the import budget of src/onnx/budget.ts): a file RNN Lab cannot run is refused, saying why.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { copyFileAtomic } from '../../pipeline/atomicFile';
import type { InferenceService } from '../../pipeline/inference/inferenceClient';
import { newRunDir, runFile, writeRunStatus } from '../../pipeline/runStore';
import type { ModelTask } from '../../protocol/api';
import { Commands } from '../commands';
import { runsFolderFor } from '../training/runsFolder';
import { modelPathOf } from './modelChoice';

/** Imports `arg` (an .onnx Uri or path) or a file picked in an open dialog; returns the new run folder. */
export async function importOnnx(arg: unknown, client: InferenceService): Promise<string | undefined> {
  let file = modelPathOf(arg);
  if (!file) {
    const picked = await vscode.window.showOpenDialog({
      title: 'Import ONNX Model', openLabel: 'Import', canSelectMany: false, filters: { 'ONNX model': ['onnx'] },
      defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
    });
    file = picked?.[0]?.fsPath;
  }
  if (!file) return undefined;
  let task: ModelTask;
  let warnings: readonly string[];
  const name = path.basename(file);
  const runDir = newRunDir(runsFolderFor(vscode.Uri.file(file)), name);
  try {
    if (!file.toLowerCase().endsWith('.onnx')) throw new Error(`${name}: expected an .onnx file`);
    const onnxFile = file;
    const info = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `RNN Lab: reading ${name}`, cancellable: true },
      (_progress, token) => {
        const job = client.info({ path: onnxFile, backend: 'engine' });
        // Cancel answers at once: a load already under way in the worker finishes there, unread.
        const cancelled = new Promise<undefined>((resolve) => token.onCancellationRequested(() => { job.cancel(); resolve(undefined); }));
        return Promise.race([job.result, cancelled]);
      });
    if (!info) return undefined;                                  // cancelled
    task = info.task;
    warnings = info.warnings;
    fs.mkdirSync(runDir, { recursive: true });
    await copyFileAtomic(file, runFile(runDir, 'model'));
    const now = Date.now();
    writeRunStatus(runDir, {
      status: 'imported', task, step: 0, totalSteps: 0, pid: process.pid, startedAt: now, updatedAt: now,
      message: `imported from ${file}`,
    });
  } catch (e) {
    if (fs.existsSync(runDir)) fs.rmSync(runDir, { recursive: true, force: true });
    void vscode.window.showErrorMessage(`RNN Lab: cannot import ${name}: ${(e as Error).message}`);
    return undefined;
  }
  void vscode.commands.executeCommand(Commands.refreshRuns);
  const note = task === 'unknown' ? ' It has no RNN Lab vocabulary, so it reads token ids only (rnn-lab predict --ids).' : '';
  const warned = warnings.length ? ` Warnings: ${warnings.join('; ')}` : '';
  void vscode.window.showInformationMessage(`RNN Lab: imported ${path.basename(file)} as run ${path.basename(runDir)} (${task}).${note}${warned}`);
  return runDir;
}
