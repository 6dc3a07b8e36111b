// The samples feature behind the walkthrough ("Get started with RNN Lab"): Open the Samples copies
// the extension's samples into the workspace's rnn-lab-samples/ and opens one of them; Train a Sample
// Model… trains one of the sample configs (a pair opens one dashboard comparing both runs).
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Commands } from '../commands';
import type { FeatureContext } from '../feature';
import { copySamples, sampleConfig, sampleConfigs, samplesFolderName } from './sampleFiles';

/** rnn-lab-samples/ in the first workspace folder, filled from the extension where files are missing. */
async function samplesFolder(extensionUri: vscode.Uri): Promise<vscode.Uri | undefined> {
  const root = vscode.workspace.workspaceFolders?.[0];
  if (!root || root.uri.scheme !== 'file') {
    const pick = await vscode.window.showInformationMessage(
      'RNN Lab: the samples are copied into a folder of your workspace (rnn-lab-samples/). Open a folder first.', 'Open Folder…');
    if (pick) await vscode.commands.executeCommand('workbench.action.files.openFolder');
    return undefined;
  }
  const target = vscode.Uri.joinPath(root.uri, samplesFolderName);
  try {
    copySamples(vscode.Uri.joinPath(extensionUri, 'samples').fsPath, vscode.Uri.joinPath(extensionUri, 'presets').fsPath, target.fsPath);
  } catch (e) {
    void vscode.window.showErrorMessage(`RNN Lab: could not copy the samples into ${target.fsPath}: ${(e as Error).message}`);
    return undefined;
  }
  return target;
}

/** Opens `file` of the samples folder (default corpus.txt) beside the walkthrough; a .rnnconfig opens in the form. */
export async function openSamples(extensionUri: vscode.Uri, file: unknown): Promise<vscode.Uri | undefined> {
  const folder = await samplesFolder(extensionUri);
  if (!folder) return undefined;
  const name = typeof file === 'string' && file ? path.basename(file) : 'corpus.txt';
  const uri = vscode.Uri.joinPath(folder, name);
  try {
    await vscode.workspace.fs.stat(uri);
  } catch {
    void vscode.window.showErrorMessage(`RNN Lab: the samples have no ${name}.`);
    return undefined;
  }
  await vscode.commands.executeCommand('revealInExplorer', uri);
  if (name.endsWith('.rnnconfig')) await vscode.commands.executeCommand('vscode.open', uri, vscode.ViewColumn.Beside);
  else await vscode.window.showTextDocument(uri, { viewColumn: vscode.ViewColumn.Beside, preview: false });
  return uri;
}

/**
 * Trains the sample configs named (e.g. "corpus", or "vanish-rnn", "vanish-lstm"), or one picked.
 * With two, the first one's dashboard compares it with the second. Resolves to the run folders started.
 */
export async function trainSample(extensionUri: vscode.Uri, names: readonly unknown[]): Promise<string[]> {
  let chosen = names.filter((n): n is string => typeof n === 'string' && n !== '');
  if (chosen.length === 0) {
    const pick = await vscode.window.showQuickPick(sampleConfigs.map((c) => ({ label: `${c.name}.rnnconfig`, description: c.what, name: c.name })),
      { title: 'Train a Sample Model', placeHolder: `A config of ${samplesFolderName}/ (copied there first)` });
    if (!pick) return [];
    chosen = [pick.name];
  }
  const unknown = chosen.filter((n) => !sampleConfig(n));
  if (unknown.length) {
    void vscode.window.showErrorMessage(`RNN Lab: no sample config ${unknown.join(', ')}; expected one of ${sampleConfigs.map((c) => c.name).join(', ')}.`);
    return [];
  }
  const folder = await samplesFolder(extensionUri);
  if (!folder) return [];
  const started: string[] = [];
  for (const name of chosen) {
    const runDir = await vscode.commands.executeCommand<string | undefined>(Commands.trainWithConfig,
      vscode.Uri.joinPath(folder, `${sampleConfig(name)!.name}.rnnconfig`));
    if (runDir) started.push(runDir);
  }
  if (started.length === 2) await vscode.commands.executeCommand(Commands.openDashboard, { dir: started[0], compareWith: started[1] });
  return started;
}

export function registerSamples(feature: FeatureContext): void {
  const extensionUri = feature.extension.extensionUri;
  feature.registerCommand(Commands.openSamples, (file?: unknown) => openSamples(extensionUri, file));
  feature.registerCommand(Commands.trainSample, (...names: unknown[]) => trainSample(extensionUri, names));
}
