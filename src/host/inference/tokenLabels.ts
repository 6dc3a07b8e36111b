// Inline token labels (issue 7): a model's view of the text, where it is read. Tagger labels coloured
// per label with a chip, a classifier's class after each line, a language model's surprisal as a heat
// map, a seq2seq model's output after each line; hovers with the top alternatives (seq2seq: the beam's
// candidates); a status-bar legend and toggle. Live: an edit re-labels after
// rnnLab.labels.debounceMs, superseded jobs are cancelled, the worker re-runs only changed lines, and
// a large file is labelled where it is visible. All model work runs in the inference worker.
import * as vscode from 'vscode';
import type { TokenDecoration } from '../../protocol/api';
import type {
  LabelResult, LineLabelItem, LineOutputItem, ModelInfo, PredictedToken, TextLabels, TextRegion, TokenLabelItem, TranslationCandidate,
} from '../../protocol/inference';
import type { InferenceJob, InferenceService, LabelAnswer } from '../../pipeline/inference/inferenceClient';
import { defaultLabel, LabelStyles, surprisalLevel } from './labelStyle';
import { modelName, modelRef } from './modelChoice';

/** Above this many UTF-16 units, only what editors show (and a margin) is labelled. */
export const LARGE_DOCUMENT = 200_000;
const VISIBLE_MARGIN_LINES = 100;
/** Language model hovers re-read at most this much text before the token for their alternatives. */
const HOVER_CONTEXT = 20_000;
const HOVER_TOP_K = 5;

interface LabelledDocument {
  readonly document: vscode.TextDocument;
  readonly modelPath: string;
  info?: ModelInfo;
  styles?: LabelStyles;
  result?: LabelResult;
  regions: readonly TextRegion[];
  job?: InferenceJob<LabelAnswer>;
  timer?: ReturnType<typeof setTimeout>;
}

export class TokenLabels implements vscode.Disposable, vscode.HoverProvider {
  private readonly docs = new Map<string, LabelledDocument>();
  private shown = true;
  private readonly statusItem = vscode.window.createStatusBarItem('rnnLab.tokenLabels', vscode.StatusBarAlignment.Right, 90);
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly errors = new vscode.EventEmitter<string>();
  /** A re-labelling after an edit or a scroll failed (bad model, worker crash): the message, to show. */
  readonly onDidFail = this.errors.event;

  constructor(private readonly client: InferenceService, private readonly debounceMs = defaultDebounceMs) {
    this.statusItem.name = 'RNN Lab Token Labels';
    this.statusItem.command = 'rnnLab.toggleTokenLabels';
    this.subscriptions.push(
      this.statusItem, this.errors,
      vscode.workspace.onDidChangeTextDocument((e) => { if (e.contentChanges.length) this.schedule(e.document); }),
      vscode.workspace.onDidCloseTextDocument((d) => this.clear(d.uri)),
      vscode.window.onDidChangeVisibleTextEditors(() => { for (const d of this.docs.values()) this.apply(d); }),
      vscode.window.onDidChangeActiveTextEditor(() => this.updateStatus()),
      vscode.window.onDidChangeTextEditorVisibleRanges((e) => {
        const document = e.textEditor.document;
        if (this.docs.has(document.uri.toString()) && document.getText().length > LARGE_DOCUMENT) this.schedule(document);
      }),
    );
  }

  /** Labels a document with a model now; resolves when its decorations are applied (undefined if superseded). */
  async label(document: vscode.TextDocument, modelPath: string): Promise<LabelResult | undefined> {
    const key = document.uri.toString();
    const previous = this.docs.get(key);
    if (previous && previous.modelPath !== modelPath) this.clear(document.uri);
    const state = this.docs.get(key) ?? { document, modelPath, regions: [] };
    this.docs.set(key, state);
    this.shown = true;
    void vscode.commands.executeCommand('setContext', 'rnnLab.hasTokenLabels', true);
    return this.run(state);
  }

  clear(uri?: vscode.Uri): void {
    const keys = uri ? [uri.toString()] : [...this.docs.keys()];
    for (const key of keys) {
      const state = this.docs.get(key);
      if (!state) continue;
      this.docs.delete(key);
      if (state.timer) clearTimeout(state.timer);
      state.job?.cancel();
      state.styles?.dispose();   // removes its decorations from every editor
    }
    void vscode.commands.executeCommand('setContext', 'rnnLab.hasTokenLabels', this.docs.size > 0);
    this.updateStatus();
  }

  toggle(): void {
    this.shown = !this.shown;
    for (const state of this.docs.values()) this.apply(state);
    this.updateStatus();
  }

  get visible(): boolean { return this.shown; }

  /** The decorations shown for a document now (the API's decorations(uri)). */
  decorations(uri: string): TokenDecoration[] {
    const state = this.docs.get(uri);
    if (!state?.result || !this.shown) return [];
    if (state.result.kind === 'lines') {
      return state.result.items.map((l) => ({ start: l.start, end: l.end, token: state.document.getText().slice(l.start, l.end), label: l.label, p: l.p, gold: l.gold }));
    }
    if (state.result.kind === 'outputs') {
      // A seq2seq line: the source as the token, its output as the label, p = P(output | source).
      return state.result.items.map((l) => ({ start: l.start, end: l.end, token: state.document.getText().slice(l.start, l.end), label: l.output, p: Math.exp(l.logProb) }));
    }
    return state.result.items.map((t) => ({ start: t.start, end: t.end, token: t.token, label: t.label, p: t.p, surprisal: t.surprisal, gold: t.gold }));
  }

  /** Re-label after the debounce delay; an edit also cancels the job that was labelling older text. */
  private schedule(document: vscode.TextDocument): void {
    const state = this.docs.get(document.uri.toString());
    if (!state) return;
    if (state.timer) clearTimeout(state.timer);
    this.cancelJob(state);
    state.timer = setTimeout(() => {
      state.timer = undefined;
      this.run(state).catch((e: Error) => this.errors.fire(e.message));   // no caller to tell: say it
    }, this.debounceMs());
  }

  private cancelJob(state: LabelledDocument): void {
    if (!state.job) return;
    state.job.cancel();
    state.job = undefined;
  }

  private async run(state: LabelledDocument): Promise<LabelResult | undefined> {
    this.cancelJob(state);
    const regions = this.regionsOf(state.document);
    const job = this.client.label(modelRef(state.modelPath), regions);
    state.job = job;
    let answer: LabelAnswer | undefined;
    try {
      answer = await job.result;
    } catch (e) {
      if (state.job === job) state.job = undefined;
      this.clear(state.document.uri);
      throw e;
    }
    if (!answer || state.job !== job || this.docs.get(state.document.uri.toString()) !== state) return undefined;
    state.job = undefined;
    if (!state.styles || state.info?.task !== answer.info.task || state.info.labels.join('\n') !== answer.info.labels.join('\n')) {
      state.styles?.dispose();
      state.styles = new LabelStyles(answer.info);
    }
    state.info = answer.info;
    state.result = answer.result;
    state.regions = regions;
    this.apply(state);
    this.updateStatus();
    return answer.result;
  }

  /** The whole document, or for a large one the visible lines of its editors with a margin. */
  private regionsOf(document: vscode.TextDocument): TextRegion[] {
    const text = document.getText();
    if (text.length <= LARGE_DOCUMENT) return [{ offset: 0, line: 0, text }];
    const shown = vscode.window.visibleTextEditors.filter((e) => e.document === document).flatMap((e) => e.visibleRanges);
    const spans = (shown.length ? shown : [new vscode.Range(0, 0, 0, 0)])
      .map((r) => [Math.max(0, r.start.line - VISIBLE_MARGIN_LINES), Math.min(document.lineCount - 1, r.end.line + VISIBLE_MARGIN_LINES)])
      .sort((a, b) => a[0] - b[0]);
    const merged: number[][] = [];
    for (const s of spans) {
      const last = merged[merged.length - 1];
      if (last && s[0] <= last[1] + 1) last[1] = Math.max(last[1], s[1]);
      else merged.push([...s]);
    }
    return merged.map(([from, to]) => {
      const range = new vscode.Range(from, 0, to, document.lineAt(to).range.end.character);
      return { offset: document.offsetAt(range.start), line: from, text: document.getText(range) };
    });
  }

  private apply(state: LabelledDocument): void {
    const { styles, result, info, document } = state;
    if (!styles || !result || !info) return;
    const perType: vscode.DecorationOptions[][] = styles.types.map(() => []);
    if (this.shown) fillDecorations(perType, result, info, document);
    for (const editor of vscode.window.visibleTextEditors) {
      if (editor.document !== document) continue;
      styles.types.forEach((type, k) => editor.setDecorations(type, perType[k]));
    }
  }

  private updateStatus(): void {
    const document = vscode.window.activeTextEditor?.document;
    const state = document && this.docs.get(document.uri.toString());
    if (!state?.styles || !state.info) {
      this.statusItem.hide();
      return;
    }
    const what = state.info.task === 'lm' ? 'surprisal' : state.info.task === 'classify' ? 'line classes'
      : state.info.task === 'seq2seq' ? 'outputs' : 'token labels';
    this.statusItem.text = this.shown ? `$(tag) ${what}` : `$(eye-closed) ${what} hidden`;
    this.statusItem.tooltip = state.styles.legend(modelName(state.modelPath));
    this.statusItem.accessibilityInformation = { label: `RNN Lab ${what} ${this.shown ? 'shown' : 'hidden'}; toggle`, role: 'button' };
    this.statusItem.show();
  }

  async provideHover(document: vscode.TextDocument, position: vscode.Position, token: vscode.CancellationToken): Promise<vscode.Hover | undefined> {
    const state = this.docs.get(document.uri.toString());
    if (!state?.result || !state.info || !this.shown) return undefined;
    if (state.result.kind === 'outputs') return this.outputHover(state, state.result.items, position, token);
    const offset = document.offsetAt(position);
    const item = findItem(state.result, offset);
    if (!item) return undefined;
    const predicted = await this.alternatives(state, item, token);
    const md = new vscode.MarkdownString();
    const text = 'token' in item ? item.token : document.getText().slice(item.start, item.end);
    md.appendMarkdown(`**RNN Lab** · \`${modelName(state.modelPath)}\`\n\n`);
    if ('surprisal' in item && item.surprisal !== undefined) {
      md.appendMarkdown(`${code(text)}: surprisal **${item.surprisal.toFixed(2)} nats** (${(item.surprisal / Math.LN2).toFixed(2)} bits), p ${Math.exp(-item.surprisal).toFixed(3)}\n\n`);
    } else {
      md.appendMarkdown(`${'line' in item ? `line ${item.line}` : code(text)} → **${code(item.label ?? '')}** p ${(item.p ?? 0).toFixed(3)}\n\n`);
      if (item.gold !== undefined) md.appendMarkdown(`The file labels it ${code(item.gold)}: ${item.gold === item.label ? 'right' : 'wrong'}.\n\n`);
    }
    if (predicted) {
      const heading = state.info.task === 'lm' ? 'Most likely here' : 'Label probabilities';
      md.appendMarkdown(`${heading}: ${predicted.top.map((a) => `${code(a.token)} ${a.p.toFixed(3)}`).join(' · ')}\n\n`);
      if (predicted.unknown) md.appendMarkdown(`⚠ ${code(text)} is not in the model's vocabulary: the model read it as \`<unk>\`.\n`);
    }
    return new vscode.Hover(md, new vscode.Range(document.positionAt(item.start), document.positionAt(item.end)));
  }

  /** A seq2seq line anywhere on it: source → output, log P, the beam's candidates, unseen source tokens. */
  private async outputHover(state: LabelledDocument, items: readonly LineOutputItem[], position: vscode.Position,
    cancel: vscode.CancellationToken): Promise<vscode.Hover | undefined> {
    const document = state.document;
    const item = items.find((l) => document.positionAt(l.start).line === position.line);
    if (!item) return undefined;
    const source = document.getText().slice(item.start, item.end);
    const md = new vscode.MarkdownString();
    md.appendMarkdown(`**RNN Lab** · \`${modelName(state.modelPath)}\`\n\n`);
    md.appendMarkdown(`${code(source)} → **${code(item.output)}** log P ${item.logProb.toFixed(3)} (p ${Math.exp(item.logProb).toFixed(3)})\n\n`);
    const candidates = await this.candidates(state, item, cancel);
    if (candidates && candidates.length > 1) {
      md.appendMarkdown(`Beam: ${candidates.map((c) => `${code(c.output)} ${c.score.toFixed(3)}`).join(' · ')}\n\n`);
    }
    if (item.unknown.length) {
      md.appendMarkdown(`⚠ ${item.unknown.map(code).join(', ')} never seen in training: the model read ${item.unknown.length > 1 ? 'them' : 'it'} as \`<unk>\`.\n`);
    }
    const line = document.lineAt(position.line).range;
    return new vscode.Hover(md, line);
  }

  private async candidates(state: LabelledDocument, item: LineOutputItem, cancel: vscode.CancellationToken): Promise<readonly TranslationCandidate[] | undefined> {
    const document = state.document;
    const line = document.lineAt(document.positionAt(item.start).line);
    const job = this.client.translate(modelRef(state.modelPath), [{ offset: document.offsetAt(line.range.start), line: line.lineNumber, text: line.text }], {});
    const listener = cancel.onCancellationRequested(() => job.cancel());
    try {
      return (await job.result)?.lines[0]?.candidates;
    } catch {
      return undefined;
    } finally {
      listener.dispose();
    }
  }

  /** The model's top alternatives at a labelled item: its line (tag, classify) or the text before it (lm). */
  private async alternatives(state: LabelledDocument, item: TokenLabelItem | LineLabelItem, cancel: vscode.CancellationToken): Promise<PredictedToken | undefined> {
    const document = state.document;
    const line = document.positionAt(item.start).line;
    let from = document.offsetAt(new vscode.Position(line, 0));
    let to = document.lineAt(line).range.end;
    if (state.info?.task === 'lm') {
      const region = state.regions.find((r) => r.offset <= item.start && item.start < r.offset + r.text.length);
      from = Math.max(region?.offset ?? 0, item.start - HOVER_CONTEXT);
      from = document.offsetAt(new vscode.Position(document.positionAt(from).line, 0));
      to = document.positionAt(item.end);
    }
    const region: TextRegion = { offset: from, line: document.positionAt(from).line, text: document.getText(new vscode.Range(document.positionAt(from), to)) };
    const job = this.client.predict(modelRef(state.modelPath), region, { topK: HOVER_TOP_K, maxTokens: 100_000, activations: false });
    const listener = cancel.onCancellationRequested(() => job.cancel());
    try {
      const result = await job.result;
      return result?.tokens.find((t) => t.start === item.start);
    } catch {
      return undefined;
    } finally {
      listener.dispose();
    }
  }

  dispose(): void {
    this.clear();
    for (const d of this.subscriptions) d.dispose();
  }
}

const defaultDebounceMs = (): number => vscode.workspace.getConfiguration('rnnLab').get<number>('labels.debounceMs') ?? 300;

const code = (s: string) => `\`${s.replace(/`/g, 'ˋ').replace(/\n/g, '⏎').replace(/\t/g, '⇥')}\``;

function fillDecorations(perType: vscode.DecorationOptions[][], result: LabelResult, info: ModelInfo, document: vscode.TextDocument): void {
  const range = (start: number, end: number) => new vscode.Range(document.positionAt(start), document.positionAt(end));
  if (result.kind === 'outputs') {
    // After the whole line, so a source<TAB>target line shows its target and the model's output side by side.
    for (const l of result.items) {
      const end = document.lineAt(document.positionAt(l.start).line).range.end;
      perType[0].push({ range: new vscode.Range(end, end), renderOptions: { after: { contentText: `→ ${l.output}` } } });
    }
    return;
  }
  if (result.kind === 'lines') {
    for (const l of result.items) {
      const k = info.labels.indexOf(l.label);
      const end = document.positionAt(l.end);
      perType[k]?.push({ range: new vscode.Range(end, end), renderOptions: { after: { contentText: `${l.label} ${l.p.toFixed(2)}${goldMark(l.label, l.gold)}` } } });
    }
    return;
  }
  if (info.task === 'lm') {
    for (const t of result.items) {
      const level = surprisalLevel(t.surprisal ?? 0, info.vocabSize);
      if (level >= 0) perType[level].push({ range: range(t.start, t.end) });
    }
    return;
  }
  const plain = defaultLabel(info.labels);
  for (const t of result.items) {
    // The default label is left plain, unless a labelled file says otherwise there (a missed name).
    if (t.label === undefined || (t.label === plain && (t.gold === undefined || t.gold === plain))) continue;
    perType[info.labels.indexOf(t.label)]?.push({ range: range(t.start, t.end), renderOptions: { after: { contentText: `${t.label}${goldMark(t.label, t.gold)}` } } });
  }
}

/** Beside a prediction on a labelled file: " ✓" when the file's label agrees, " ✗ gold 1" when not. */
export function goldMark(label: string, gold: string | undefined): string {
  if (gold === undefined) return '';
  return gold === label ? ' ✓' : ` ✗ gold ${gold}`;
}

/** The labelled item at a document offset (items are in document order). */
function findItem(result: TextLabels, offset: number): TokenLabelItem | LineLabelItem | undefined {
  const items: readonly (TokenLabelItem | LineLabelItem)[] = result.items;
  let lo = 0, hi = items.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const it = items[mid];
    const inside = result.kind === 'lines' ? offset <= it.end : offset < it.end;
    if (offset < it.start) hi = mid - 1;
    else if (!inside) lo = mid + 1;
    else return it;
  }
  return undefined;
}
