// Show Attention and seq2seq labels in a real extension host, on a seq2seq model (random weights,
// written as a run folder keeps one: encoder.onnx, decoder.onnx): the Attention panel, built with a
// recording transport, shows the line at the cursor as the pipeline translates it, follows the cursor
// (and a blank line), an edit of the line, a beam change and the active editor into another file; the
// command path returns what it shows;
// Label Tokens puts each line's output after it, with a hover naming the beam's candidates and <unk>.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { RnnLabApi } from '../../src/protocol/api';
import type { AttentionToHost, HostToAttention } from '../../src/protocol/attention';
import { createInferenceFeature } from '../../src/host/inference';
import { attentionViewType, type AttentionView } from '../../src/host/inference/attentionPanel';
import { loadSeq2Seq } from '../../src/pipeline/seq2seq/model';
import { translateOne, translateOptions } from '../../src/pipeline/seq2seq/translate';
import { memento } from './fixtures';
import { TransportRecorder, type RecordedTransport } from './transports';
import { datesText, isoText, writeSeq2SeqModel } from '../unit/inference/models';

const extensionId = 'rnn-lab.rnn-lab';

type Show = Extract<HostToAttention, { type: 'show' }>;
type Empty = Extract<HostToAttention, { type: 'empty' }>;

/** The next message the host sends after the `before`-th that matches. */
function nextSent<M extends HostToAttention>(panel: RecordedTransport<HostToAttention, AttentionToHost>, what: string, before: number,
  match: (m: HostToAttention) => m is M): Promise<M> {
  return panel.until(what, () => panel.sent.slice(before).filter(match).pop());
}
const isShow = (line: number) => (m: HostToAttention): m is Show => m.type === 'show' && m.translation.line === line;

function assertClose(got: readonly number[], want: readonly number[], what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  got.forEach((x, i) => assert.ok(Math.abs(x - want[i]) < 1e-5, `${what}[${i}]: ${x} vs ${want[i]}`));
}

const lines = ['3 may 1979', '', 'x ☃ 12.10.2001\tignored target'];

describe('seq2seq in the editor: Show Attention, labels', function () {
  this.timeout(120_000);
  let api: RnnLabApi;
  let dir: string, model: string;
  let editor: vscode.TextEditor;

  before(async () => {
    api = await vscode.extensions.getExtension<RnnLabApi>(extensionId)!.activate();
    const root = vscode.workspace.workspaceFolders![0].uri.fsPath;
    dir = fs.mkdtempSync(path.join(root, 'attention-it-'));
    model = writeSeq2SeqModel(dir, 'dates-run', datesText, isoText);
    const file = path.join(dir, 'dates.txt');
    fs.writeFileSync(file, lines.join('\n') + '\n');
    editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(file));
  });

  after(async () => {
    await vscode.commands.executeCommand('rnnLab.clearTokenLabels');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('the panel shows the cursor\'s line as the pipeline translates it, and follows the cursor, a blank line, an edit and the beam', async () => {
    const recorder = new TransportRecorder();
    const feature = createInferenceFeature(vscode.Uri.file(vscode.extensions.getExtension(extensionId)!.extensionPath), memento(), () => 10,
      { connect: recorder.connect });
    const plain = loadSeq2Seq(model);
    try {
      editor.selection = new vscode.Selection(0, 2, 0, 2);
      const first = await feature.attention.show(editor, model);
      assert.ok(first?.kind === 'translation');
      const want = translateOne(plain, '3 may 1979', translateOptions(plain));
      // The worker runs the WASM kernels, this host the reference ones: the same search, sums rounded apart.
      assert.deepEqual([first.translation.line, first.translation.source, first.translation.output, first.translation.candidates.map((c) => c.output)],
        [1, '3 may 1979', want.output, want.candidates.map((c) => c.output)]);
      assertClose(first.translation.attention.flat(), want.attention.flat(), 'attention');
      assertClose(first.translation.candidates.map((c) => c.score), want.candidates.map((c) => c.score), 'scores');
      assert.equal(first.setup.beam, 3, 'the model\'s own beam (its config\'s sampling)');

      const panel = await recorder.nth<HostToAttention, AttentionToHost>(attentionViewType);
      await panel.receivedMatching('the webview\'s ready', (m): m is Extract<AttentionToHost, { type: 'ready' }> => m.type === 'ready', 90_000);
      const shown = await panel.sentMatching('line 1 shown', isShow(1));
      assert.deepEqual(shown.translation, first.translation);

      let mark = panel.sent.length;
      editor.selection = new vscode.Selection(2, 4, 2, 4);
      const third = await nextSent(panel, 'line 3 after the cursor moved', mark, isShow(3));
      assert.equal(third.translation.source, 'x ☃ 12.10.2001', 'the source before the TAB');
      assert.deepEqual(third.translation.sourceUnknown.map((u, j) => (u ? third.translation.sourceTokens[j] : '')).filter(Boolean), ['x', '☃']);
      assert.equal(third.translation.attention.length, third.translation.outputTokens.length);
      for (const row of third.translation.attention) assert.ok(Math.abs(row.reduce((a, w) => a + w, 0) - 1) < 1e-5);

      mark = panel.sent.length;
      editor.selection = new vscode.Selection(1, 0, 1, 0);
      const blank = await nextSent(panel, 'the blank line', mark, (m): m is Empty => m.type === 'empty');
      assert.equal(blank.line, 2);

      mark = panel.sent.length;
      editor.selection = new vscode.Selection(0, 0, 0, 0);
      await nextSent(panel, 'line 1 again', mark, isShow(1));
      mark = panel.sent.length;
      await editor.edit((b) => b.replace(new vscode.Range(0, 0, 0, 1), '4'));
      const edited = await nextSent(panel, 'the edited line', mark, (m): m is Show => m.type === 'show' && m.translation.source === '4 may 1979');
      assert.equal(edited.translation.output, translateOne(plain, '4 may 1979', translateOptions(plain)).output);

      mark = panel.sent.length;
      await panel.deliver({ type: 'beam', beam: 1 });
      const greedy = await nextSent(panel, 'greedy', mark, (m): m is Show => m.type === 'show' && m.setup.beam === 1);
      assert.equal(greedy.translation.candidates.length, 1);
      assert.equal(greedy.translation.output, translateOne(plain, '4 may 1979', { ...translateOptions(plain), beam: 1 }).output);
    } finally {
      await editor.edit((b) => b.replace(new vscode.Range(0, 0, 0, 1), '3'));
      await editor.document.save();
      plain.dispose();
      feature.dispose();
    }
  });

  it('the panel follows the active editor into another file, with the same model', async () => {
    const recorder = new TransportRecorder();
    const feature = createInferenceFeature(vscode.Uri.file(vscode.extensions.getExtension(extensionId)!.extensionPath), memento(), () => 10,
      { connect: recorder.connect });
    try {
      const front = await vscode.window.showTextDocument(editor.document);   // a new TextEditor once another file had the column
      front.selection = new vscode.Selection(0, 0, 0, 0);
      await feature.attention.show(front, model);
      const panel = await recorder.nth<HostToAttention, AttentionToHost>(attentionViewType);
      await panel.sentMatching('line 1 shown', isShow(1), 90_000);
      const mark = panel.sent.length;
      const other = path.join(dir, 'other.txt');
      fs.writeFileSync(other, 'first\n\n  21 may 2009\n');
      const otherEditor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(other), front.viewColumn);
      otherEditor.selection = new vscode.Selection(2, 0, 2, 0);
      const shown = await nextSent(panel, 'line 3 of other.txt', mark, (m): m is Show => m.type === 'show' && m.document.endsWith('other.txt') && m.translation.line === 3);
      assert.equal(shown.translation.source, '21 may 2009');
      assert.equal(shown.model, 'dates-run');
    } finally {
      feature.dispose();
      await vscode.window.showTextDocument(editor.document);
    }
  });

  it('rnnLab.showAttention with a model argument returns what the panel shows', async () => {
    const front = await vscode.window.showTextDocument(editor.document);
    front.selection = new vscode.Selection(2, 0, 2, 0);
    const view = await vscode.commands.executeCommand<AttentionView>('rnnLab.showAttention', model);
    assert.ok(view?.kind === 'translation', JSON.stringify(view));
    assert.equal(view.translation.line, 3);
    assert.equal(view.translation.sourceTokens.length, [...'x ☃ 12.10.2001'].length);
  });

  it('Label Tokens on a seq2seq model: each line\'s output after it; the hover gives the beam\'s candidates and the <unk> tokens', async () => {
    const shown = await vscode.window.showTextDocument(editor.document);
    await vscode.commands.executeCommand('rnnLab.labelTokens', model);
    const decorations = api.decorations(shown.document.uri.toString());
    const plain = loadSeq2Seq(model);
    try {
      assert.deepEqual(decorations.map((d) => [d.token, d.label]), ['3 may 1979', 'x ☃ 12.10.2001'].map((s) => [s, translateOne(plain, s, translateOptions(plain)).output]));
      assert.deepEqual(decorations.map((d) => d.start), [0, lines[0].length + 2]);
    } finally {
      plain.dispose();
    }
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', shown.document.uri, new vscode.Position(2, 20));
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    assert.match(text, new RegExp(`→ \\*\\*\`${decorations[1].label!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\`\\*\\*`));
    assert.match(text, /Beam: /);
    assert.match(text, /`x`, `☃` never seen in training: the model read them as `<unk>`/);
  });
});
