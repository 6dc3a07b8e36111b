// Where runs live: `rnnLab.runsFolder` (default .rnnlab/runs) under each workspace folder, or an
// absolute path. A file outside every workspace folder trains into a runs folder beside it.
import * as path from 'node:path';
import * as vscode from 'vscode';

export function runsFolderSetting(scope?: vscode.Uri): string {
  return vscode.workspace.getConfiguration('rnnLab', scope).get<string>('runsFolder') || '.rnnlab/runs';
}

/** Absolute runs folder of one workspace folder. */
export function runsFolderOf(folder: vscode.WorkspaceFolder): string {
  const setting = runsFolderSetting(folder.uri);
  return path.isAbsolute(setting) ? setting : path.join(folder.uri.fsPath, setting);
}

/** Every runs folder the Runs view shows (one per workspace folder, absolute settings shared). */
export function allRunsFolders(): string[] {
  return [...new Set((vscode.workspace.workspaceFolders ?? []).map(runsFolderOf))];
}

/** The runs folder a run trained on `file` goes to. */
export function runsFolderFor(file: vscode.Uri): string {
  const folder = vscode.workspace.getWorkspaceFolder(file) ?? vscode.workspace.workspaceFolders?.[0];
  if (folder) return runsFolderOf(folder);
  const setting = runsFolderSetting(file);
  return path.isAbsolute(setting) ? setting : path.join(path.dirname(file.fsPath), setting);
}
