// The embeddings feature: Show Embeddings (palette, Runs view, a vectors .txt in the explorer), Show
// in Embeddings (the word at the editor's cursor) and Debias Word Vectors… (a vectors .txt). Queries
// run in an inference worker of its own, started on first use; debiasing in a CLI child process.
import { fork } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { InferenceClient } from '../../pipeline/inference/inferenceClient';
import type { EmbeddingsState } from '../../protocol/embeddings';
import { Commands } from '../commands';
import type { FeatureContext } from '../feature';
import { modelPathOf, runModels } from '../inference/modelChoice';
import { EmbeddingsPanel, embeddingsViewType } from './embeddingsPanel';

interface SourceItem extends vscode.QuickPickItem {
  readonly source?: string;
  readonly browse?: boolean;
}

/** Asks for something with word vectors: a run (embed runs first), or a vectors file. */
async function pickSource(title: string): Promise<string | undefined> {
  const runs = runModels().sort((a, b) => Number(b.task === 'embed') - Number(a.task === 'embed'));
  const items: SourceItem[] = runs.map((r) => ({ label: r.id, description: `${r.task} · ${r.status}`, detail: r.dir, source: r.dir }));
  items.push({ label: '$(folder-opened) Open Vectors File…', description: 'GloVe or word2vec text (word v1 v2 …)', browse: true });
  const picked = await vscode.window.showQuickPick(items, { title, placeHolder: 'Pick a run (any model with an embedding) or a vectors file', matchOnDescription: true });
  if (!picked) return undefined;
  if (!picked.browse) return picked.source;
  const files = await vscode.window.showOpenDialog({
    title, canSelectMany: false, openLabel: 'Show Embeddings', filters: { 'Word vectors': ['txt', 'vec'], 'All files': ['*'] },
    defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
  });
  return files?.[0]?.fsPath;
}

/** The word a command acts on: the selection, else the word at the cursor. */
function wordAtCursor(editor: vscode.TextEditor): string | undefined {
  const { document, selection } = editor;
  if (!selection.isEmpty) return document.getText(selection).trim() || undefined;
  const range = document.getWordRangeAtPosition(selection.active, /[\p{L}\p{M}\p{N}_]+(?:['’][\p{L}\p{M}\p{N}_]+)*/u);
  return range ? document.getText(range) : undefined;
}

export function registerEmbeddings(feature: FeatureContext): void {
  const context = feature.extension;
  const client = new InferenceClient(path.join(context.extensionUri.fsPath, 'dist', 'inferenceWorker.js'));
  const panel = new EmbeddingsPanel(context.extensionUri, client);
  context.subscriptions.push(panel, { dispose: () => client.dispose() });
  context.subscriptions.push(vscode.window.registerWebviewPanelSerializer(embeddingsViewType, {
    deserializeWebviewPanel: async (webviewPanel, state: EmbeddingsState | undefined) => panel.restore(webviewPanel, state),
  }));

  feature.registerCommand(Commands.showEmbeddings, async (arg?: unknown) => {
    const source = modelPathOf(arg) ?? await pickSource('Show Embeddings');
    if (!source) return undefined;
    panel.show(source);
    return source;
  });

  feature.registerCommand(Commands.showInEmbeddings, async (arg?: unknown) => {
    const editor = vscode.window.activeTextEditor ?? vscode.window.visibleTextEditors[0];
    const word = typeof arg === 'string' ? arg : editor ? wordAtCursor(editor) : undefined;
    if (!word) {
      void vscode.window.showWarningMessage('RNN Lab: put the cursor on a word (or select one) to show it in the Embeddings panel.');
      return undefined;
    }
    if (panel.select(word)) return word;
    const source = await pickSource(`Show "${word}" in Embeddings`);
    if (!source) return undefined;
    panel.show(source, word);
    return word;
  });

  // The second argument (word pairs "a:b,c:d") skips the input box: for scripts and tests.
  feature.registerCommand(Commands.debiasVectors, async (arg?: unknown, pairsArg?: string) => {
    const file = modelPathOf(arg) ?? (await vscode.window.showOpenDialog({
      title: 'Debias Word Vectors', canSelectMany: false, openLabel: 'Debias', filters: { 'Word vectors': ['txt', 'vec'], 'All files': ['*'] },
    }))?.[0]?.fsPath;
    if (!file) return undefined;
    const pairs = pairsArg ?? await vscode.window.showInputBox({
      title: 'Debias Word Vectors: the direction to remove',
      prompt: 'Word pairs that differ only along the direction, e.g. woman:man, she:he, mother:father (Bolukbasi et al.: neutralise every other word, equalise these pairs)',
      value: 'woman:man, she:he, her:his, mother:father, girl:boy',
      validateInput: (v) => (/^\s*[^:,\s]+:[^:,\s]+(\s*,\s*[^:,\s]+:[^:,\s]+)*\s*$/.test(v) ? undefined : 'Expected pairs a:b separated by commas'),
    });
    if (!pairs) return undefined;
    const stem = fs.statSync(file).isDirectory() ? path.join(file, 'vectors') : file.replace(/\.[^./\\]*$/, '');
    const out = `${stem}.debiased.txt`;
    const cli = path.join(context.extensionUri.fsPath, 'dist', 'cli.js');
    const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `RNN Lab: debiasing ${path.basename(file)}`, cancellable: true },
      (_progress, token) => new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = fork(cli, ['debias', file, out, '--pairs', pairs.replace(/\s+/g, '')], { silent: true });
        let stderr = '';
        child.stderr?.on('data', (d) => { stderr += d; });
        token.onCancellationRequested(() => child.kill());
        child.on('exit', (code) => resolve({ code, stderr }));
      }));
    if (result.code !== 0) {
      void vscode.window.showErrorMessage(`RNN Lab: ${result.stderr.trim().split('\n').pop() || 'debiasing was cancelled'}`);
      return undefined;
    }
    void vscode.window.showInformationMessage(`RNN Lab: ${result.stderr.trim()}`, 'Show Embeddings').then((choice) => { if (choice) panel.show(out); });
    return out;
  });

  feature.api.embeddings = () => panel.current();
}
