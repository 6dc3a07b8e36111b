// The extension's entry point: wires the feature modules together. Activation stays cheap:
// nothing here loads onnxruntime-node or starts a worker; features do that on first use.
import * as vscode from 'vscode';
import type { RnnLabApi } from '../protocol/api';
import { Commands, type CommandId } from './commands';
import type { ApiState, FeatureContext } from './feature';
import { registerConfig } from './config';
import { registerInference } from './inference';
import { registerTraining } from './training';

/** Commands whose feature is not built yet answer with a clear message instead of silence. */
const pendingFeatures: Record<CommandId, string> = {
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
  const started = Date.now();
  const registered = new Set<string>();
  const api: ApiState = { runs: () => [], decorations: () => [], lastPredictions: () => undefined };
  const feature: FeatureContext = {
    extension: context,
    api,
    registerCommand(id, handler) {
      registered.add(id);
      context.subscriptions.push(vscode.commands.registerCommand(id, handler));
    },
  };

  registerTraining(feature);
  registerConfig(feature);
  registerInference(feature);

  for (const [id, title] of Object.entries(pendingFeatures) as [CommandId, string][]) {
    if (registered.has(id)) continue;
    feature.registerCommand(id, () => vscode.window.showInformationMessage(
      `RNN Lab: ${title} is not built yet in this version (${id}).`));
  }

  const activationMs = Date.now() - started;
  return {
    runs: () => api.runs(),
    decorations: (uri) => api.decorations(uri),
    lastPredictions: () => api.lastPredictions(),
    extensionMode: context.extensionMode,
    activationMs,
  };
}

export function deactivate(): void {}
