// The inference feature: Sample from Model…, Show Token Predictions, Show Attention, inline token
// labels (label, clear, toggle) and Import ONNX Model…. All model work runs in one inference worker.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { InferenceClient, type InferenceService } from '../../pipeline/inference/inferenceClient';
import type { SampleSettings } from '../../protocol/inference';
import type { SampleRecord } from '../../protocol/samples';
import { Commands } from '../commands';
import type { FeatureContext } from '../feature';
import { connectWebview, type ConnectWebview } from '../webview/transport';
import { AttentionPanel } from './attentionPanel';
import { importOnnx } from './importOnnx';
import { ModelMemory, modelPathOf, modelRef, pickModel } from './modelChoice';
import { PredictionsPanel } from './predictionsPanel';
import { SamplesPanel } from './samplesPanel';
import { TokenLabels } from './tokenLabels';

/** The live objects of the feature; integration tests may build their own set. */
export interface InferenceFeature extends vscode.Disposable {
  readonly client: InferenceService;
  readonly memory: ModelMemory;
  readonly labels: TokenLabels;
  readonly samples: SamplesPanel;
  readonly predictions: PredictionsPanel;
  readonly attention: AttentionPanel;
}

const debounceMs = (): number => vscode.workspace.getConfiguration('rnnLab').get<number>('labels.debounceMs') ?? 300;

/** The seams of the feature: the worker's client and how panels reach their webviews. */
export interface InferenceSeams {
  readonly client?: InferenceService;
  readonly connect?: ConnectWebview;
}

/**
 * `delayMs`: the re-labelling debounce (default: the rnnLab.labels.debounceMs setting). Integration
 * tests pass `seams` that wrap the real client and webview transports to watch jobs and messages.
 */
export function createInferenceFeature(extensionUri: vscode.Uri, state: vscode.Memento, delayMs: () => number = debounceMs,
  { client = new InferenceClient(), connect = connectWebview }: InferenceSeams = {}): InferenceFeature {
  const memory = new ModelMemory(state);
  const labels = new TokenLabels(client, delayMs);
  const samples = new SamplesPanel(extensionUri, client, memory, state, connect);
  const predictions = new PredictionsPanel(extensionUri, client, delayMs, connect);
  const attention = new AttentionPanel(extensionUri, client, delayMs, connect);
  const hover = vscode.languages.registerHoverProvider([{ scheme: 'file' }, { scheme: 'untitled' }], labels);
  const failures = labels.onDidFail((message) => void vscode.window.showErrorMessage(`RNN Lab: labelling failed: ${message}`));
  return {
    client, memory, labels, samples, predictions, attention,
    dispose() {
      for (const d of [hover, failures, labels, samples, predictions, attention]) d.dispose();
      client.dispose();
    },
  };
}

/** A model path in a command argument; a Uri of an ordinary file is the document, not a model. */
function modelArgument(arg: unknown): string | undefined {
  if (arg instanceof vscode.Uri && arg.scheme === 'file' && !arg.fsPath.toLowerCase().endsWith('.onnx') && path.extname(arg.fsPath)) return undefined;
  return modelPathOf(arg);
}

/** The editor a command acts on: the active one, else the first visible one (a panel may have focus). */
function targetEditor(arg: unknown): vscode.TextEditor | undefined {
  if (arg instanceof vscode.Uri) {
    const shown = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === arg.toString());
    if (shown) return shown;
  }
  return vscode.window.activeTextEditor ?? vscode.window.visibleTextEditors[0];
}

export function registerInference(feature: FeatureContext): void {
  const context = feature.extension;
  const inference = createInferenceFeature(context.extensionUri, context.workspaceState);
  context.subscriptions.push(inference);
  const { memory, labels, samples, predictions, attention } = inference;
  const fail = (what: string, e: unknown) => void vscode.window.showErrorMessage(`RNN Lab: ${what}: ${(e as Error).message}`);

  feature.registerCommand(Commands.sample, async (arg?: unknown): Promise<SampleRecord | undefined> => {
    const modelPath = modelArgument(arg) ?? await pickModel('Sample from Model', ['lm'], memory);
    if (!modelPath) return undefined;
    await samples.open(modelPath);
    const overrides = (arg && typeof arg === 'object' && 'settings' in arg ? (arg as { settings: Partial<SampleSettings> }).settings : {}) ?? {};
    return samples.generate(modelPath, { ...samples.settings(modelPath), ...overrides });
  });

  feature.registerCommand(Commands.labelTokens, async (arg?: unknown) => {
    const editor = targetEditor(arg);
    if (!editor) {
      void vscode.window.showWarningMessage('RNN Lab: open a text file to label its tokens.');
      return undefined;
    }
    const document = editor.document;
    const alreadyLabelled = labels.decorations(document.uri.toString()).length > 0;
    const modelPath = modelArgument(arg) ?? (alreadyLabelled ? undefined : memory.forDocument(document.uri))
      ?? await pickModel('Label Tokens with Model', ['tag', 'classify', 'lm', 'seq2seq'], memory);
    if (!modelPath) return undefined;
    memory.remember(modelPath, document.uri);
    try {
      return await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'RNN Lab: labelling tokens' },
        () => labels.label(document, modelPath));
    } catch (e) {
      fail(`could not label ${path.basename(document.fileName)}`, e);
      return undefined;
    }
  });

  feature.registerCommand(Commands.clearTokenLabels, () => labels.clear());
  feature.registerCommand(Commands.toggleTokenLabels, () => labels.toggle());

  feature.registerCommand(Commands.showPredictions, async (arg?: unknown) => {
    const editor = targetEditor(arg);
    if (!editor) {
      void vscode.window.showWarningMessage('RNN Lab: open a text file to see the model\'s predictions for it.');
      return undefined;
    }
    const modelPath = modelArgument(arg) ?? memory.forDocument(editor.document.uri)
      ?? await pickModel('Show Token Predictions with Model', ['lm', 'tag', 'classify'], memory);
    if (!modelPath) return undefined;
    memory.remember(modelPath, editor.document.uri);
    try {
      // The first call starts the inference worker and loads the model: the status bar says it is working.
      return await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'RNN Lab: computing token predictions' },
        () => predictions.show(editor, modelPath));
    } catch (e) {
      fail('predictions failed', e);
      return undefined;
    }
  });

  feature.registerCommand(Commands.showAttention, async (arg?: unknown) => {
    const editor = targetEditor(arg);
    if (!editor) {
      void vscode.window.showWarningMessage('RNN Lab: open a file of source lines (one a line) to see where a seq2seq model looks.');
      return undefined;
    }
    const modelPath = modelArgument(arg) ?? await rememberedSeq2Seq(inference.client, memory.forDocument(editor.document.uri) ?? memory.last())
      ?? await pickModel('Show Attention with Model', ['seq2seq'], memory);
    if (!modelPath) return undefined;
    memory.remember(modelPath, editor.document.uri);
    try {
      return await attention.show(editor, modelPath);
    } catch (e) {
      fail('attention failed', e);
      return undefined;
    }
  });

  feature.registerCommand(Commands.importOnnx, (arg?: unknown) => importOnnx(arg, inference.client));

  feature.api.decorations = (uri) => labels.decorations(uri);
  feature.api.lastPredictions = () => predictions.lastPredictions();
}

/** A remembered model when it is a seq2seq one (the worker reads it: the host never parses a model). */
async function rememberedSeq2Seq(client: InferenceService, modelPath: string | undefined): Promise<string | undefined> {
  if (!modelPath) return undefined;
  try {
    return (await client.info(modelRef(modelPath)).result)?.task === 'seq2seq' ? modelPath : undefined;
  } catch {
    return undefined;
  }
}
