// "Export as PyTorch Project…" (rnnLab.exportPyTorch): a run (Runs view item, path, or picked) or a
// .rnnconfig → a folder picked in a dialog (or given, as tests and keybindings may) with train.py,
// README.md and requirements.txt; progress while it writes, then "Open README".
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { exportPyTorchProject, type PyTorchExport } from '../../pipeline/exportPyTorch';
import { runDirOf } from './runArgument';
import type { RunCommandDeps } from './runCommands';

const TITLE = 'Export as PyTorch Project';

/** The source: a run folder or a .rnnconfig (argument or the active editor's config), else a quick pick of runs. */
async function pickSource(deps: RunCommandDeps, arg: unknown): Promise<string | undefined> {
  const given = runDirOf(arg);
  if (given) return given;
  const active = vscode.window.activeTextEditor?.document.uri;
  if (arg === undefined && active?.scheme === 'file' && active.fsPath.endsWith('.rnnconfig')) return active.fsPath;
  const runs = deps.runs().filter((r) => r.status !== 'imported' && r.status !== 'training');
  if (runs.length === 0) {
    void vscode.window.showInformationMessage(`RNN Lab: no run to export; train one, or run "${TITLE}" with a .rnnconfig open.`);
    return undefined;
  }
  const pick = await vscode.window.showQuickPick(runs.map((r) => ({ label: r.id, description: `${r.status} · ${r.task} · step ${r.step}`, dir: r.dir })), { title: TITLE });
  return pick?.dir;
}

export async function exportPyTorch(deps: RunCommandDeps, arg: unknown, to?: unknown): Promise<PyTorchExport | undefined> {
  const source = await pickSource(deps, arg);
  if (!source) return undefined;
  const name = path.basename(source).replace(/\.rnnconfig$/, '');
  let target: string | undefined;
  if (to instanceof vscode.Uri) target = to.fsPath;
  else {
    const base = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(source))?.uri ?? vscode.Uri.file(path.dirname(source));
    const picked = await vscode.window.showOpenDialog({
      title: `${TITLE}: a folder for ${name}'s train.py, README.md and requirements.txt`, openLabel: 'Export Here',
      canSelectFiles: false, canSelectFolders: true, canSelectMany: false, defaultUri: base,
    });
    if (!picked?.[0]) return undefined;
    target = picked[0].fsPath;
    if (fs.existsSync(path.join(target, 'train.py'))) {
      const answer = await vscode.window.showWarningMessage(`${path.basename(target)} already holds a train.py. Replace the project there?`, { modal: true }, 'Replace');
      if (answer !== 'Replace') return undefined;
    }
  }
  const outDir = target;
  let result: PyTorchExport;
  try {
    result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `RNN Lab: exporting ${name} as a PyTorch project` },
      () => new Promise<PyTorchExport>((resolve, reject) => setImmediate(() => {
        try { resolve(exportPyTorchProject(source, outDir)); } catch (e) { reject(e); }
      })));
  } catch (e) {
    void vscode.window.showErrorMessage(`RNN Lab: could not export ${name}: ${(e as Error).message}`);
    return undefined;
  }
  const from = result.fromRun ? `continues the run from step ${result.step}` : 'starts from the seed';
  void vscode.window.showInformationMessage(`RNN Lab: exported ${name} to ${vscode.workspace.asRelativePath(outDir)} (${from}).`, 'Open README')
    .then((choice) => {
      if (choice === 'Open README') void vscode.window.showTextDocument(vscode.Uri.file(path.join(outDir, 'README.md')));
    });
  return result;
}
