// The Predictions panel (viewType rnnLab.predictions): for a document (or its selection), each token
// with the model's top-k predictions (lm) or label probabilities (tag, classify) and a heat map of
// hidden-state and gate activations over the tokens. Follows edits of its document (debounced);
// clicking a token reveals it in the editor. One panel, revealed rather than recreated.
import * as vscode from 'vscode';
import type { TokenPrediction } from '../../protocol/api';
import type { InferenceJob, InferenceService } from '../../pipeline/inference/inferenceClient';
import type { HostToPredictions, PredictionResult, PredictionsToHost } from '../../protocol/predictions';
import { openPanel, type OpenedPanel } from '../webview/panel';
import { connectWebview, type ConnectWebview } from '../webview/transport';
import { modelName, modelRef } from './modelChoice';

export const predictionsViewType = 'rnnLab.predictions';
const TOP_K = 5;
/** Tokens shown at most (the heat map holds D*G*H values per token). */
export const MAX_PREDICTED_TOKENS = 1000;

interface Target {
  readonly document: vscode.TextDocument;
  readonly modelPath: string;
  /** Offsets of the selection the panel was opened on; null = the whole document. */
  readonly selection: { start: number; end: number } | null;
}

export class PredictionsPanel implements vscode.Disposable {
  private panel: OpenedPanel<HostToPredictions, PredictionsToHost> | undefined;
  private target: Target | undefined;
  private result: PredictionResult | undefined;
  private job: InferenceJob<PredictionResult> | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly subscriptions: vscode.Disposable[] = [];
  /** The token a click in the panel revealed. Not a selection: the editor would highlight every occurrence of a selected "e". */
  private readonly revealed = vscode.window.createTextEditorDecorationType({
    backgroundColor: new vscode.ThemeColor('editor.findMatchHighlightBackground'),
    border: '1px solid', borderColor: new vscode.ThemeColor('editor.findMatchBorder'),
  });

  constructor(private readonly extensionUri: vscode.Uri, private readonly client: InferenceService,
    private readonly debounceMs: () => number, private readonly connect: ConnectWebview = connectWebview) {
    this.subscriptions.push(vscode.workspace.onDidChangeTextDocument((e) => {
      if (!this.panel || !this.target || e.document !== this.target.document || !e.contentChanges.length) return;
      if (this.target.selection) return;   // a selection's offsets go stale with edits; refresh re-reads it
      if (this.timer) clearTimeout(this.timer);
      this.job?.cancel();
      this.timer = setTimeout(() => void this.compute(), this.debounceMs());
    }));
  }

  /** What the panel shows now, in the API's shape; undefined when it is closed. */
  lastPredictions(): TokenPrediction[] | undefined {
    if (!this.panel || !this.result) return undefined;
    return this.result.tokens.map((t) => ({ token: t.token, start: t.start, end: t.end, top: t.top }));
  }

  /** Shows predictions of `modelPath` for the editor's selection (or whole document); resolves when shown. */
  async show(editor: vscode.TextEditor, modelPath: string): Promise<PredictionResult | undefined> {
    const document = editor.document;
    const sel = editor.selection;
    const selection = sel.isEmpty ? null : { start: document.offsetAt(sel.start), end: document.offsetAt(sel.end) };
    this.target = { document, modelPath, selection };
    if (this.panel) this.panel.view.reveal(vscode.ViewColumn.Beside, true);
    else this.create();
    return this.compute();
  }

  private async compute(): Promise<PredictionResult | undefined> {
    const target = this.target;
    if (!target) return undefined;
    this.job?.cancel();
    const { document, selection } = target;
    const text = document.getText();
    // A selection is widened to whole lines: taggers and classifiers read lines, an lm starts at a line start.
    const from = selection ? document.offsetAt(new vscode.Position(document.positionAt(selection.start).line, 0)) : 0;
    const to = selection ? document.offsetAt(document.lineAt(document.positionAt(selection.end).line).range.end) : text.length;
    const name = vscode.workspace.asRelativePath(document.uri);
    this.post({ type: 'busy', document: name, model: modelName(target.modelPath) });
    const job = this.client.predict(modelRef(target.modelPath), { offset: from, line: document.positionAt(from).line, text: text.slice(from, to) },
      { topK: TOP_K, maxTokens: MAX_PREDICTED_TOKENS, activations: true });
    this.job = job;
    try {
      const result = await job.result;
      if (!result || this.job !== job) return undefined;
      this.result = result;
      this.post({ type: 'show', document: name, model: modelName(target.modelPath), selection: !!selection, result });
      return result;
    } catch (e) {
      if (this.job === job) this.post({ type: 'error', message: (e as Error).message });
      throw e;
    } finally {
      if (this.job === job) this.job = undefined;
    }
  }

  private create(): void {
    const opened: OpenedPanel<HostToPredictions, PredictionsToHost> = openPanel({
      viewType: predictionsViewType, extensionUri: this.extensionUri, connect: this.connect,
      shell: { title: 'RNN Lab Predictions', script: 'predictions', styles: ['media/dropdown.css', 'dist/webview/predictions.css'] },
      receive: (m) => this.receive(m),
      disposed: () => {
        if (this.panel !== opened) return;
        this.panel = undefined;
        this.result = undefined;
        this.job?.cancel();
        if (this.timer) clearTimeout(this.timer);
      },
    });
    this.panel = opened;
  }

  private post(m: HostToPredictions): void {
    this.panel?.post(m);
  }

  private async receive(m: PredictionsToHost): Promise<void> {
    switch (m.type) {
      case 'ready':
        if (this.result && this.target) {
          this.post({ type: 'show', document: vscode.workspace.asRelativePath(this.target.document.uri), model: modelName(this.target.modelPath),
            selection: !!this.target.selection, result: this.result });
        }
        break;
      case 'reveal': {
        const document = this.target?.document;
        if (!document || document.isClosed) break;
        const at = document.positionAt(m.start);
        const range = new vscode.Range(at, document.positionAt(m.end));
        const visible = vscode.window.visibleTextEditors.find((e) => e.document === document);
        const editor = await vscode.window.showTextDocument(document, { viewColumn: visible?.viewColumn, preserveFocus: false, selection: new vscode.Range(at, at) });
        for (const e of vscode.window.visibleTextEditors) e.setDecorations(this.revealed, []);
        editor.setDecorations(this.revealed, [range]);
        editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
        break;
      }
      case 'refresh':
        await this.compute().catch(() => undefined);
        break;
      default: {
        const never: never = m;
        throw new Error(`predictions panel: unknown message ${JSON.stringify(never)}`);
      }
    }
  }

  dispose(): void {
    this.revealed.dispose();
    this.job?.cancel();
    if (this.timer) clearTimeout(this.timer);
    this.panel?.view.dispose();
    for (const d of this.subscriptions) d.dispose();
  }
}
