// The Attention panel (viewType rnnLab.attention): a seq2seq model's translation of the line at the
// cursor: the output, the beam's candidates with scores and the attention matrix as a heat map
// (source tokens across, output tokens down). It follows the cursor (a new line, debounced), edits of
// that line and the active editor (another file: its cursor's line, with the same model); the search
// runs in the inference worker. One panel, revealed rather than recreated.
import * as vscode from 'vscode';
import type { InferenceJob, InferenceService } from '../../pipeline/inference/inferenceClient';
import type { AttentionToHost, HostToAttention, SourceTranslation, TranslationSetup } from '../../protocol/attention';
import type { TranslationResult } from '../../protocol/inference';
import { openPanel, type OpenedPanel } from '../webview/panel';
import { connectWebview, type ConnectWebview } from '../webview/transport';
import { modelName, modelRef } from './modelChoice';

export const attentionViewType = 'rnnLab.attention';

/** Documents the panel follows into: files and untitled ones (not output channels, git views, ...). */
const FOLLOWED_SCHEMES = new Set(['file', 'untitled']);

interface Target {
  readonly document: vscode.TextDocument;
  readonly modelPath: string;
  line: number;                         // 0-based
}

/** What the panel shows: a line's translation, or that the line is blank. */
export type AttentionView =
  | { readonly kind: 'translation'; readonly setup: TranslationSetup; readonly translation: SourceTranslation }
  | { readonly kind: 'empty'; readonly line: number };

export class AttentionPanel implements vscode.Disposable {
  private panel: OpenedPanel<HostToAttention, AttentionToHost> | undefined;
  private target: Target | undefined;
  private shown: AttentionView | undefined;
  private beam: number | null = null;   // null: the model's own
  private job: InferenceJob<TranslationResult> | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(private readonly extensionUri: vscode.Uri, private readonly client: InferenceService,
    private readonly debounceMs: () => number, private readonly connect: ConnectWebview = connectWebview) {
    this.subscriptions.push(
      vscode.window.onDidChangeTextEditorSelection((e) => {
        const target = this.target;
        if (!this.panel || !target || e.textEditor.document !== target.document) return;
        const line = e.selections[0].active.line;
        if (line !== target.line) this.schedule(line);
      }),
      vscode.window.onDidChangeActiveTextEditor((editor) => {
        const target = this.target;
        if (!this.panel || !target || !editor || editor.document === target.document || !FOLLOWED_SCHEMES.has(editor.document.uri.scheme)) return;
        this.target = { document: editor.document, modelPath: target.modelPath, line: editor.selection.active.line };
        this.schedule(editor.selection.active.line);
      }),
      vscode.workspace.onDidChangeTextDocument((e) => {
        const target = this.target;
        if (!this.panel || !target || e.document !== target.document || !e.contentChanges.length) return;
        // Lines shift under an edit above; the active editor's cursor says where the line went.
        const editor = vscode.window.visibleTextEditors.find((ed) => ed.document === e.document);
        this.schedule(editor?.selection.active.line ?? target.line);
      }),
    );
  }

  /** What the panel shows now (undefined when closed or still computing the first line). */
  current(): AttentionView | undefined {
    return this.panel ? this.shown : undefined;
  }

  /** Shows the translation of the line at the editor's cursor with `modelPath`; resolves when it is shown. */
  async show(editor: vscode.TextEditor, modelPath: string): Promise<AttentionView | undefined> {
    this.target = { document: editor.document, modelPath, line: editor.selection.active.line };
    if (this.panel) this.panel.view.reveal(vscode.ViewColumn.Beside, true);
    else this.create();
    return this.compute();
  }

  /** Computes `line` (0-based) after the debounce; a job still running for another line is cancelled. */
  private schedule(line: number): void {
    const target = this.target;
    if (!target) return;
    target.line = line;
    if (this.timer) clearTimeout(this.timer);
    this.job?.cancel();
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.compute().catch(() => undefined);   // the panel shows the error
    }, this.debounceMs());
  }

  private async compute(): Promise<AttentionView | undefined> {
    const target = this.target;
    if (!target || target.document.isClosed) return undefined;
    this.job?.cancel();
    const { document, modelPath } = target;
    const line = Math.min(target.line, document.lineCount - 1);
    const name = vscode.workspace.asRelativePath(document.uri);
    const model = modelName(modelPath);
    const text = document.lineAt(line);
    if (text.isEmptyOrWhitespace) {
      this.job = undefined;
      this.shown = { kind: 'empty', line: line + 1 };
      this.post({ type: 'empty', document: name, line: line + 1, model });
      return this.shown;
    }
    this.post({ type: 'busy', document: name, line: line + 1, model });
    const job = this.client.translate(modelRef(modelPath), [{ offset: document.offsetAt(text.range.start), line, text: text.text }],
      this.beam === null ? {} : { beam: this.beam });
    this.job = job;
    try {
      const result = await job.result;
      if (!result || this.job !== job) return undefined;
      const [translation] = result.lines;
      const { lines: _lines, ...setup } = result;
      this.shown = translation ? { kind: 'translation', setup, translation } : { kind: 'empty', line: line + 1 };
      this.postShown(name, model);
      return this.shown;
    } catch (e) {
      if (this.job === job) this.post({ type: 'error', message: (e as Error).message });
      throw e;
    } finally {
      if (this.job === job) this.job = undefined;
    }
  }

  private postShown(document: string, model: string): void {
    const shown = this.shown;
    if (!shown) return;
    this.post(shown.kind === 'translation'
      ? { type: 'show', document, model, setup: shown.setup, translation: shown.translation }
      : { type: 'empty', document, line: shown.line, model });
  }

  private create(): void {
    const opened: OpenedPanel<HostToAttention, AttentionToHost> = openPanel({
      viewType: attentionViewType, extensionUri: this.extensionUri, connect: this.connect,
      shell: { title: 'RNN Lab Attention', script: 'attention', styles: ['media/dropdown.css', 'dist/webview/attention.css'] },
      receive: (m) => this.receive(m),
      disposed: () => {
        if (this.panel !== opened) return;
        this.panel = undefined;
        this.shown = undefined;
        this.job?.cancel();
        if (this.timer) clearTimeout(this.timer);
        this.timer = undefined;
      },
    });
    this.panel = opened;
  }

  private post(m: HostToAttention): void {
    this.panel?.post(m);
  }

  private async receive(m: AttentionToHost): Promise<void> {
    switch (m.type) {
      case 'ready':
        if (this.target) this.postShown(vscode.workspace.asRelativePath(this.target.document.uri), modelName(this.target.modelPath));
        break;
      case 'beam':
        this.beam = m.beam;
        await this.compute().catch(() => undefined);
        break;
      case 'refresh':
        await this.compute().catch(() => undefined);
        break;
      default: {
        const never: never = m;
        throw new Error(`attention panel: unknown message ${JSON.stringify(never)}`);
      }
    }
  }

  dispose(): void {
    this.job?.cancel();
    if (this.timer) clearTimeout(this.timer);
    this.panel?.view.dispose();
    for (const d of this.subscriptions) d.dispose();
  }
}
