// The extension's entry point: wires the feature modules together. Activation stays cheap:
// nothing here loads onnxruntime-node or starts a worker; features do that on first use.
import * as vscode from 'vscode';
import type { RnnLabApi } from '../protocol/api';
import { Commands, type CommandId } from './commands';

/** Commands whose feature is not built yet answer with a clear message instead of silence. */
const pendingFeatures: Partial<Record<CommandId, string>> = {
  [Commands.trainOnFile]: 'Training from the editor',
  [Commands.sample]: 'Sampling',
  [Commands.labelTokens]: 'Inline token labels',
  [Commands.clearTokenLabels]: 'Inline token labels',
  [Commands.showPredictions]: 'The Predictions panel',
  [Commands.openDashboard]: 'The training dashboard',
  [Commands.stopTraining]: 'Training from the editor',
  [Commands.exportOnnx]: 'ONNX export',
  [Commands.importOnnx]: 'ONNX import',
  [Commands.newConfig]: 'New RNN Config',
  [Commands.resumeRun]: 'Resuming runs',
  [Commands.deleteRun]: 'Deleting runs',
  [Commands.revealRun]: 'Revealing runs',
  [Commands.refreshRuns]: 'The Runs view',
  [Commands.trainWithConfig]: 'Training from a config',
  [Commands.toggleTokenLabels]: 'Inline token labels',
};

export function activate(context: vscode.ExtensionContext): RnnLabApi {
  const registered = new Set<string>();
  const register = (id: CommandId, handler: (...args: any[]) => unknown) => {
    registered.add(id);
    context.subscriptions.push(vscode.commands.registerCommand(id, handler));
  };

  for (const [id, feature] of Object.entries(pendingFeatures) as [CommandId, string][]) {
    if (registered.has(id)) continue;
    register(id, () => vscode.window.showInformationMessage(
      `RNN Lab: ${feature} is not built yet in this version (${id}).`));
  }

  return {
    runs: () => [],
    decorations: () => [],
    lastPredictions: () => undefined,
  };
}

export function deactivate(): void {}
