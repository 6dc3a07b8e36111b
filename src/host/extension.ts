// The extension's entry point: wires the feature modules together. Activation stays cheap:
// nothing here loads onnxruntime-node or starts a worker; features do that on first use.
import * as vscode from 'vscode';
import type { RnnLabApi } from '../protocol/api';
import type { ApiState, FeatureContext } from './feature';
import { registerConfig } from './config';
import { registerEmbeddings } from './embeddings';
import { registerEvaluation } from './evaluation';
import { registerInference } from './inference';
import { registerSamples } from './samples';
import { registerTraining } from './training';

export function activate(context: vscode.ExtensionContext): RnnLabApi {
  const started = Date.now();
  const api: ApiState = { runs: () => [], decorations: () => [], lastPredictions: () => undefined, embeddings: () => undefined };
  const feature: FeatureContext = {
    extension: context,
    api,
    registerCommand(id, handler) {
      context.subscriptions.push(vscode.commands.registerCommand(id, handler));
    },
  };

  registerTraining(feature);
  registerConfig(feature);
  registerInference(feature);
  registerEmbeddings(feature);
  registerEvaluation(feature);
  registerSamples(feature);

  const activationMs = Date.now() - started;
  return {
    runs: () => api.runs(),
    decorations: (uri) => api.decorations(uri),
    lastPredictions: () => api.lastPredictions(),
    embeddings: () => api.embeddings(),
    extensionMode: context.extensionMode,
    activationMs,
  };
}

export function deactivate(): void {}
