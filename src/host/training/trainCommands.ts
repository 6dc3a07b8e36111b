// The commands that start training: Train on This File (the nearest .rnnconfig that fits the data,
// findConfig.ts, or a preset written beside the file) and Train with This Config. Each makes a new run folder and opens its dashboard.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as jsonc from 'jsonc-parser';
import * as vscode from 'vscode';
import { detectTaskWithReasonOfText, type Task } from '../../pipeline/formats';
import { checkRegularFile } from '../../pipeline/inputFiles';
import { newRunDir } from '../../pipeline/runStore';
import type { WorkerStart } from '../../protocol/worker';
import { chooseConfig, taskFits, type ConfigChoice } from './findConfig';
import { listPresets, writePresetBeside, type Preset } from './presets';
import { runsFolderFor } from './runsFolder';

export interface Trainer {
  /** Starts the run and opens its dashboard; true when it started. */
  begin(start: WorkerStart): boolean;
}

/**
 * The file in front: the active text editor's, else the active tab's when it is a custom editor (a
 * .rnnconfig in the form is a webview, so it has no activeTextEditor).
 */
function activeFile(): vscode.Uri | undefined {
  const editor = vscode.window.activeTextEditor?.document.uri;
  if (editor) return editor;
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  return input instanceof vscode.TabInputCustom || input instanceof vscode.TabInputText ? input.uri : undefined;
}

/** The file a command acts on: its Uri argument (explorer, editor menus) or the one in front. */
async function targetFile(arg: unknown, what: string): Promise<vscode.Uri | undefined> {
  const uri = arg instanceof vscode.Uri ? arg : activeFile();
  if (!uri || uri.scheme !== 'file') {
    void vscode.window.showErrorMessage(`RNN Lab: ${what} needs a file on disk: right-click one in the explorer or open it in an editor.`);
    return undefined;
  }
  // training reads the file from disk: unsaved edits would silently not count
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (open?.isDirty) await open.save();
  return uri;
}

export async function trainOnFile(arg: unknown, extensionUri: vscode.Uri, trainer: Trainer): Promise<void> {
  const uri = await targetFile(arg, 'Train on This File');
  if (!uri) return;
  if (uri.fsPath.endsWith('.rnnconfig')) { await trainWithConfig(uri, trainer); return; }
  const file = uri.fsPath;
  try {
    checkRegularFile(file);            // a named pipe would block this thread reading its head
  } catch (e) {
    void vscode.window.showErrorMessage(`RNN Lab: cannot train on ${path.basename(file)}: ${(e as Error).message}`);
    return;
  }
  const root = vscode.workspace.getWorkspaceFolder(uri)?.uri.fsPath ?? path.dirname(file);
  const detected = detectTaskWithReasonOfText(readHead(file));
  const choice = chooseConfig(file, root, detected.task);
  let configPath: string | undefined;
  if (choice.configs.length === 1) configPath = choice.configs[0];
  else if (choice.configs.length > 1) {
    const pick = await vscode.window.showQuickPick(choice.configs.map((f) => ({ label: path.basename(f), description: vscode.workspace.asRelativePath(f), file: f })), {
      title: `Train on ${path.basename(file)}: which config?`,
      placeHolder: choice.fit === 'trains-this-file' ? `Several .rnnconfig files train ${path.basename(file)}` : `Several .rnnconfig files nearby fit ${detected.task} data`,
    });
    configPath = pick?.file;
    if (!configPath) return;
  } else {
    const preset = await pickPreset(file, detected, choice.unfit, extensionUri);
    if (!preset) return;
    try {
      configPath = writePresetBeside(preset, file);
    } catch (e) {
      void vscode.window.showErrorMessage(`RNN Lab: could not write a config beside ${path.basename(file)}: ${(e as Error).message}`);
      return;
    }
  }
  trainer.begin({ configPath, dataPath: file, runDir: newRunDir(runsFolderFor(uri), path.basename(file)), resume: false });
}

/** Resolves to the new run's folder when it started (the walkthrough's "See it vanish" opens the pair). */
export async function trainWithConfig(arg: unknown, trainer: Trainer): Promise<string | undefined> {
  const uri = await targetFile(arg, 'Train with This Config');
  if (!uri) return undefined;
  if (!uri.fsPath.endsWith('.rnnconfig')) {
    void vscode.window.showErrorMessage(`RNN Lab: ${path.basename(uri.fsPath)} is not a .rnnconfig file; use "Train on This File" for data files.`);
    return undefined;
  }
  const runDir = newRunDir(runsFolderFor(uri), path.basename(uri.fsPath));
  return trainer.begin({ configPath: uri.fsPath, runDir, resume: false }) ? runDir : undefined;
}

/**
 * Presets from the extension's presets/ folder, those whose task fits the file's detected format first
 * and marked so; the title says why the configs nearby were passed over.
 */
async function pickPreset(file: string, detected: { task: Task; reason: string }, unfit: ConfigChoice['unfit'], extensionUri: vscode.Uri): Promise<Preset | undefined> {
  const presets = listPresets(vscode.Uri.joinPath(extensionUri, 'presets').fsPath);
  if (presets.length === 0) {
    void vscode.window.showErrorMessage('RNN Lab: no .rnnconfig near this file and no presets in the extension; create one with "RNN Lab: New RNN Config…".');
    return undefined;
  }
  const taskOf = (p: Preset) => (jsonc.parse(fs.readFileSync(p.file, 'utf8')) as { task?: string } | undefined)?.task;
  const items = presets.map((p) => {
    const [label, ...rest] = p.description.split(': ');
    const fits = taskFits(taskOf(p), detected.task);
    return { label: label || p.name, detail: rest.join(': ') || undefined, description: fits ? `${p.name} · fits this file` : p.name, preset: p, fits };
  }).sort((a, b) => Number(b.fits) - Number(a.fits));
  const nearby = unfit.length
    ? `${unfit.map((c) => `${path.basename(c.file)} (${c.task})`).join(', ')} ${unfit.length === 1 ? 'does' : 'do'} not fit ${detected.task} data`
    : 'no .rnnconfig nearby';
  const pick = await vscode.window.showQuickPick(items, {
    title: `Train on ${path.basename(file)}: ${nearby}, pick a preset`,
    placeHolder: `${path.basename(file)} has ${detected.reason}; the preset is written beside it as ${path.basename(file).replace(/\.[^.]*$/, '')}.rnnconfig`,
    matchOnDetail: true,
  });
  return pick?.preset;
}

/** The first 64 KB: enough to tell the data format, cheap on a 100 MB corpus. */
function readHead(file: string): string {
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(64 * 1024);
    const n = fs.readSync(fd, buf, 0, buf.length, 0);
    return buf.subarray(0, n).toString('utf8');
  } finally {
    fs.closeSync(fd);
  }
}
