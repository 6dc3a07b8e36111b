// Where a config may make training read from. A workspace's .rnnconfig can name any file on disk as
// its data (a model learns it, and its samples and vocabulary repeat it), so files outside the
// workspace folders are said in a warning when the workspace is trusted and refused when it is not
// (package.json capabilities.untrustedWorkspaces says what Restricted Mode allows).
import * as path from 'node:path';
import * as vscode from 'vscode';
import { loadConfig } from '../../pipeline/config';
import { filesOutside } from '../../pipeline/inputFiles';
import type { WorkerStart } from '../../protocol/worker';

/** False when the run must not start (an untrusted workspace naming files outside it); warns otherwise. */
export function dataLocationsAllowed(start: WorkerStart): boolean {
  const configPath = start.configPath;
  const folders = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
  if (!configPath || folders.length === 0) return true;
  let outside: { field: string; file: string }[];
  try {
    outside = filesOutside(loadConfig(configPath, start.resume ? undefined : start.dataPath), folders, !start.resume && start.dataPath !== undefined);
  } catch {
    return true;                      // a bad config: the training worker says what is wrong with it
  }
  if (outside.length === 0) return true;
  const list = outside.map(({ field, file }) => `${field} ${file}`).join(', ');
  const name = path.basename(configPath);
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showErrorMessage(`RNN Lab: ${name} reads data outside the workspace (${list}); ` +
      'this workspace is not trusted, so training reads files inside it only. Trust the workspace to train on these files.');
    return false;
  }
  void vscode.window.showWarningMessage(`RNN Lab: ${name} reads data outside the workspace folder: ${list}.`);
  return true;
}
