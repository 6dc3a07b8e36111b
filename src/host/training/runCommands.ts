// Commands on existing runs: stop, resume, delete (modal confirmation), reveal, export to ONNX,
// open the dashboard. Each takes a run (Runs view item, folder path or Uri) or asks with a quick pick.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunSummary } from '../../protocol/api';
import { exportRunToOnnx } from '../../pipeline/loadModel';
import { describeOwner, liveLockOwner } from '../../pipeline/runLock';
import { RUN_FILES, runFile } from '../../pipeline/runStore';
import type { WorkerStart } from '../../protocol/worker';
import { runDirOf } from './runArgument';
import type { TrainingSessions } from './sessions';

export interface RunCommandDeps {
  readonly sessions: TrainingSessions;
  readonly runs: () => RunSummary[];
  readonly begin: (start: WorkerStart) => void;
  /** `compareWith`: another run whose loss and gradient through time are drawn beside this one's. */
  readonly openDashboard: (runDir: string, compareWith?: string) => void;
  readonly closeDashboard: (runDir: string) => void;
  readonly refresh: () => void;
}

async function pickRun(deps: RunCommandDeps, title: string, filter: (r: RunSummary) => boolean = () => true): Promise<string | undefined> {
  const runs = deps.runs().filter(filter);
  if (runs.length === 0) {
    void vscode.window.showInformationMessage(`RNN Lab: no run to choose for "${title}".`);
    return undefined;
  }
  if (runs.length === 1) return runs[0].dir;
  const pick = await vscode.window.showQuickPick(runs.map((r) => ({
    label: r.id, description: `${r.status} · ${r.task} · step ${r.step}`, dir: r.dir,
  })), { title });
  return pick?.dir;
}

export async function openDashboard(deps: RunCommandDeps, arg: unknown): Promise<void> {
  const dir = runDirOf(arg) ?? deps.sessions.all().at(-1)?.runDir ?? await pickRun(deps, 'Open Training Dashboard');
  const compareWith = arg && typeof arg === 'object' ? runDirOf((arg as { compareWith?: unknown }).compareWith) : undefined;
  if (dir) deps.openDashboard(dir, compareWith);
}

export async function stopTraining(deps: RunCommandDeps, arg: unknown): Promise<void> {
  const running = deps.sessions.all();
  let dirs: string[];
  const given = runDirOf(arg);
  if (given) dirs = [given];
  else if (running.length <= 1) dirs = running.map((s) => s.runDir);
  else {
    const all = { label: 'All runs', description: `${running.length} training`, dirs: running.map((s) => s.runDir) };
    const pick = await vscode.window.showQuickPick([
      ...running.map((s) => ({ label: s.id, description: s.latest ? `step ${s.latest.step}/${s.latest.totalSteps}` : 'starting', dirs: [s.runDir] })),
      all,
    ], { title: 'Stop Training' });
    dirs = pick?.dirs ?? [];
  }
  if (dirs.length === 0 && !given) {
    void vscode.window.showInformationMessage('RNN Lab: no run is training.');
    return;
  }
  for (const dir of dirs) {
    const session = deps.sessions.get(dir);
    if (session) session.stop();
    else void vscode.window.showInformationMessage(`RNN Lab: ${path.basename(dir)} is not training in this window.`);
  }
}

export async function resumeRun(deps: RunCommandDeps, arg: unknown): Promise<void> {
  const dir = runDirOf(arg) ?? await pickRun(deps, 'Resume Training', (r) => r.status === 'stopped');
  if (!dir) return;
  if (deps.sessions.get(dir)) {
    void vscode.window.showInformationMessage(`RNN Lab: ${path.basename(dir)} is already training.`);
    return;
  }
  const owner = liveLockOwner(dir);
  if (owner) {
    void vscode.window.showErrorMessage(`RNN Lab: cannot resume ${path.basename(dir)}: ${describeOwner(owner)} is training this run; wait for it to end or stop it.`);
    return;
  }
  if (!fs.existsSync(runFile(dir, 'checkpoint'))) {
    void vscode.window.showErrorMessage(`RNN Lab: cannot resume ${path.basename(dir)}: it has no ${RUN_FILES.checkpoint} (expected one from a stopped run).`);
    return;
  }
  deps.begin({ configPath: runFile(dir, 'config'), runDir: dir, resume: true });
}

export async function deleteRun(deps: RunCommandDeps, arg: unknown): Promise<void> {
  const dir = runDirOf(arg) ?? await pickRun(deps, 'Delete Run');
  if (!dir) return;
  const session = deps.sessions.get(dir);
  const answer = await vscode.window.showWarningMessage(
    `Delete the run ${path.basename(dir)} and every file in it?`,
    { modal: true, detail: `${session ? 'It is training now and will be stopped first. ' : ''}This removes ${dir} (model, checkpoint, metrics, samples) and cannot be undone.` },
    'Delete');
  if (answer !== 'Delete') return;
  if (session) {
    session.stop();
    await session.ended;
  }
  deps.closeDashboard(dir);
  try {
    fs.rmSync(dir, { recursive: true, force: true });
  } catch (e) {
    void vscode.window.showErrorMessage(`RNN Lab: could not delete ${dir}: ${(e as Error).message}`);
  }
  deps.refresh();
}

export async function revealRun(deps: RunCommandDeps, arg: unknown): Promise<void> {
  const dir = runDirOf(arg) ?? await pickRun(deps, 'Reveal Run');
  if (!dir) return;
  const uri = vscode.Uri.file(dir);
  if (vscode.workspace.getWorkspaceFolder(uri)) await vscode.commands.executeCommand('revealInExplorer', uri);
  else await vscode.commands.executeCommand('revealFileInOS', uri);
}

/** Save dialog (unless a target Uri is given, as keybindings and other extensions may), then write the run's model (from its checkpoint) as .onnx. */
export async function exportOnnx(deps: RunCommandDeps, arg: unknown, to?: unknown): Promise<void> {
  const dir = runDirOf(arg) ?? await pickRun(deps, 'Export Model to ONNX', (r) => r.status !== 'imported');
  if (!dir) return;
  if (!fs.existsSync(runFile(dir, 'checkpoint'))) {
    void vscode.window.showErrorMessage(`RNN Lab: ${path.basename(dir)} has no ${RUN_FILES.checkpoint} yet: a run writes one every few hundred steps and when it stops.`);
    return;
  }
  const base = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(dir))?.uri ?? vscode.Uri.file(path.dirname(dir));
  const target = to instanceof vscode.Uri ? to : await vscode.window.showSaveDialog({
    title: 'Export Model to ONNX', saveLabel: 'Export',
    defaultUri: vscode.Uri.joinPath(base, `${path.basename(dir)}.onnx`), filters: { 'ONNX model': ['onnx'] },
  });
  if (!target) return;
  try {
    await vscode.workspace.fs.writeFile(target, exportRunToOnnx(dir));
  } catch (e) {
    void vscode.window.showErrorMessage(`RNN Lab: could not export ${path.basename(dir)}: ${(e as Error).message}`);
    return;
  }
  void vscode.window.showInformationMessage(`RNN Lab: exported ${path.basename(dir)} to ${vscode.workspace.asRelativePath(target)}.`);
}
