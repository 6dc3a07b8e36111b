// "New RNN Config…": a preset picked in a quick pick becomes <name>.rnnconfig in the explorer
// folder the command was invoked on (or the workspace root), optionally pointed at a data file
// there, and opens in the form editor.
import * as path from 'node:path';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { listPresets, type Preset } from '../training/presets';
import { fieldEdits } from './fieldEdits';
import { applyEdits } from 'jsonc-parser';

/** Skips the prompts (integration tests, other commands). */
export interface NewConfigOptions {
  readonly preset: string;     // preset file name without extension, e.g. "char-lstm-lm"
  readonly name: string;       // the new file's name without extension
  readonly train?: string;     // data.train, relative to the folder
}

const validName = /^[^\\/:*?"<>|\u0000-\u001f]+$/;

export async function newConfig(extensionUri: vscode.Uri, target?: unknown, options?: unknown): Promise<vscode.Uri | undefined> {
  const folder = await targetFolder(target);
  if (!folder) {
    void vscode.window.showErrorMessage('RNN Lab: New RNN Config needs a folder: open a folder or workspace, or right-click a folder in the Explorer.');
    return undefined;
  }
  const presets = listPresets(path.join(extensionUri.fsPath, 'presets'));
  if (!presets.length) {
    void vscode.window.showErrorMessage(`RNN Lab: no presets found in ${path.join(extensionUri.fsPath, 'presets')}; the extension is incomplete.`);
    return undefined;
  }
  const given = isOptions(options) ? options : undefined;
  const preset = given ? presets.find((p) => p.name === given.preset) : await pickPreset(presets);
  if (!preset) {
    if (given) throw new Error(`New RNN Config: no preset "${given.preset}"; expected one of ${presets.map((p) => p.name).join(', ')}`);
    return undefined;
  }
  const name = given ? given.name : await askName(folder, preset.name);
  if (name === undefined) return undefined;
  const train = given ? given.train : await pickDataFile(folder);
  if (train === null) return undefined;

  const file = vscode.Uri.joinPath(folder, `${name}.rnnconfig`);
  if (await exists(file)) throw new Error(`New RNN Config: ${file.fsPath} already exists; nothing was overwritten`);
  let text = fs.readFileSync(preset.file, 'utf8');
  if (train) text = applyEdits(text, fieldEdits(text, ['data', 'train'], train));
  await vscode.workspace.fs.writeFile(file, Buffer.from(text, 'utf8'));
  await vscode.commands.executeCommand('vscode.open', file);
  return file;
}

function isOptions(v: unknown): v is NewConfigOptions {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
    && typeof (v as NewConfigOptions).preset === 'string' && typeof (v as NewConfigOptions).name === 'string';
}

/** The explorer's folder (or a file's folder), else the first workspace folder. */
async function targetFolder(target: unknown): Promise<vscode.Uri | undefined> {
  if (target instanceof vscode.Uri) {
    const stat = await vscode.workspace.fs.stat(target);
    return stat.type & vscode.FileType.Directory ? target : vscode.Uri.joinPath(target, '..');
  }
  return vscode.workspace.workspaceFolders?.[0]?.uri;
}

async function pickPreset(presets: readonly Preset[]): Promise<Preset | undefined> {
  const items = presets.map((preset) => {
    const [title, ...rest] = preset.description.split(': ');
    return { label: rest.length ? title : preset.name, detail: rest.join(': ') || preset.description, description: preset.name, preset };
  });
  const picked = await vscode.window.showQuickPick(items, { title: 'New RNN Config: start from a preset', matchOnDetail: true });
  return picked?.preset;
}

async function askName(folder: vscode.Uri, suggested: string): Promise<string | undefined> {
  return vscode.window.showInputBox({
    title: 'New RNN Config: file name',
    prompt: `Creates <name>.rnnconfig in ${folder.fsPath}`,
    value: suggested,
    validateInput: async (value) => {
      if (!value.trim()) return 'Enter a name.';
      if (!validName.test(value)) return 'A file name cannot contain \\ / : * ? " < > |.';
      if (await exists(vscode.Uri.joinPath(folder, `${value}.rnnconfig`))) return `${value}.rnnconfig already exists here.`;
      return undefined;
    },
  });
}

/** A data file of the folder for data.train: '' = choose later, null = cancelled. */
async function pickDataFile(folder: vscode.Uri): Promise<string | null> {
  const entries = await vscode.workspace.fs.readDirectory(folder);
  const files = entries
    .filter(([n, t]) => t & vscode.FileType.File && !n.startsWith('.') && !/\.(rnnconfig|onnx)$/.test(n))
    .map(([n]) => n).sort();
  if (!files.length) return '';
  const later = { label: 'Choose later', detail: 'data.train stays empty: Train on This File supplies it' };
  const picked = await vscode.window.showQuickPick([...files.map((label) => ({ label, detail: undefined as string | undefined })), later],
    { title: 'New RNN Config: training data (data.train)' });
  if (!picked) return null;
  return picked === later ? '' : picked.label;
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  try { await vscode.workspace.fs.stat(uri); return true; } catch { return false; }
}
