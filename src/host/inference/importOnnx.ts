// Import ONNX Model…: an .onnx file becomes a run folder (status imported, the file as model.onnx) so
// the Runs view lists it and it can be sampled, labelled and inspected like a trained run. The model
// is read through the pipeline's loadModel first: a file RNN Lab cannot run is refused, saying why.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { writeFileAtomic } from '../../pipeline/atomicFile';
import { loadModel } from '../../pipeline/loadModel';
import { newRunDir, runFile, writeRunStatus } from '../../pipeline/runStore';
import { Commands } from '../commands';
import { runsFolderFor } from '../training/runsFolder';
import { modelPathOf } from './modelChoice';

/** Imports `arg` (an .onnx Uri or path) or a file picked in an open dialog; returns the new run folder. */
export async function importOnnx(arg: unknown): Promise<string | undefined> {
  let file = modelPathOf(arg);
  if (!file) {
    const picked = await vscode.window.showOpenDialog({
      title: 'Import ONNX Model', openLabel: 'Import', canSelectMany: false, filters: { 'ONNX model': ['onnx'] },
      defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
    });
    file = picked?.[0]?.fsPath;
  }
  if (!file) return undefined;
  let task: string;
  let warnings: readonly string[];
  try {
    if (!file.toLowerCase().endsWith('.onnx')) throw new Error(`${path.basename(file)}: expected an .onnx file`);
    const model = loadModel(file, 'engine');
    task = model.meta?.task ?? 'unknown';
    warnings = model.warnings;
    model.dispose();
  } catch (e) {
    void vscode.window.showErrorMessage(`RNN Lab: cannot import ${path.basename(file)}: ${(e as Error).message}`);
    return undefined;
  }
  const runDir = newRunDir(runsFolderFor(vscode.Uri.file(file)), path.basename(file));
  fs.mkdirSync(runDir, { recursive: true });
  writeFileAtomic(runFile(runDir, 'model'), new Uint8Array(fs.readFileSync(file)));
  const now = Date.now();
  writeRunStatus(runDir, {
    status: 'imported', task, step: 0, totalSteps: 0, pid: process.pid, startedAt: now, updatedAt: now,
    message: `imported from ${file}`,
  });
  void vscode.commands.executeCommand(Commands.refreshRuns);
  const note = task === 'unknown' ? ' It has no RNN Lab vocabulary, so it reads token ids only (rnn-lab predict --ids).' : '';
  const warned = warnings.length ? ` Warnings: ${warnings.join('; ')}` : '';
  void vscode.window.showInformationMessage(`RNN Lab: imported ${path.basename(file)} as run ${path.basename(runDir)} (${task}).${note}${warned}`);
  return runDir;
}
