// The .rnnconfig form editor and IntelliSense in a real extension host: a form edit changes only
// that value in the text (byte for byte) and undo restores it; a text edit, or a change on disk,
// reaches the rendered form; an invalid value shows a diagnostic from VS Code's JSON server (our
// schema) and an error in the form; completion offers model.cell's enum and data file paths;
// the Train button; New RNN Config. The forms under test are built here, by a ConfigEditorProvider
// of the test's own around real webviews, through a recording transport: the test posts what the
// webview would and reads what the host posts and what the webview reports it rendered.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { RnnLabApi } from '../../src/protocol/api';
import type { ConfigFormToHost, HostToConfigForm, RenderedForm } from '../../src/protocol/configForm';
import { ConfigEditorProvider, configEditorViewType } from '../../src/host/config/configEditor';
import { TransportRecorder, type RecordedTransport } from './transports';

const extensionId = 'rnn-lab.rnn-lab';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until<T>(what: string, probe: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
    await sleep(100);
  }
}

const original = `// integration test config: comments and layout must survive form edits
{
  "task": "lm",          // next character
  "data": {
    "train": "corpus.txt",
    "tokenizer": "char"
  },
  "model": {
    "cell": "lstm",      // try gru
    "hidden": 64,
    "embedding": 16
  },
  "training": { "steps": 100, "seed": 7 }
}
`;

type Form = RecordedTransport<HostToConfigForm, ConfigFormToHost>;
const recorder = new TransportRecorder();
let provider: ConfigEditorProvider;

/**
 * Opens `uri` in a text editor (it keeps the document open and takes undo) and its form, built by
 * the test's provider, in a webview panel beside it; resolves once the form posted its first state.
 */
async function openForm(uri: vscode.Uri): Promise<{ form: Form; document: vscode.TextDocument }> {
  const document = await vscode.workspace.openTextDocument(uri);
  await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.One, preview: false });
  const panel = vscode.window.createWebviewPanel('rnnLab.test.configForm', path.basename(uri.fsPath),
    { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true });
  const index = recorder.count(configEditorViewType);
  provider.resolveCustomTextEditor(document, panel);
  const form = await recorder.nth<HostToConfigForm, ConfigFormToHost>(configEditorViewType, index);
  await form.sentMatching('the first state', (m): m is Extract<HostToConfigForm, { type: 'init' }> => m.type === 'init', 90_000);
  return { form, document };
}

/** What the webview shows once it has rendered the document's current version. */
function renderedNow(form: Form, document: vscode.TextDocument): Promise<RenderedForm> {
  const version = document.version;
  return form.until(`version ${version} rendered`, () => form.received.map((m) => (m.type === 'rendered' ? m.form : undefined))
    .reverse().find((f) => f && f.version >= version), 30_000);
}

/** Undo in the document's text editor (the form's panel may have focus). */
async function undo(document: vscode.TextDocument): Promise<void> {
  await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.One, preserveFocus: false });
  await vscode.commands.executeCommand('undo');
}

async function replaceText(document: vscode.TextDocument, from: string, to: string): Promise<void> {
  const start = document.getText().indexOf(from);
  assert.ok(start >= 0, `"${from}" not in ${document.uri.fsPath}`);
  const edit = new vscode.WorkspaceEdit();
  edit.replace(document.uri, new vscode.Range(document.positionAt(start), document.positionAt(start + from.length)), to);
  assert.ok(await vscode.workspace.applyEdit(edit));
}

describe('config editor', function () {
  this.timeout(120_000);
  let dir: string;
  let uri: vscode.Uri;
  let document: vscode.TextDocument;
  let form: Form;
  const send = (message: ConfigFormToHost) => form.deliver(message);

  before(async () => {
    const extension = vscode.extensions.getExtension(extensionId)!;
    await extension.activate();
    provider = new ConfigEditorProvider(extension.extensionUri, recorder.connect);
    const root = vscode.workspace.workspaceFolders![0].uri.fsPath;
    dir = fs.mkdtempSync(path.join(root, 'config-it-'));
    fs.writeFileSync(path.join(dir, 'corpus.txt'), 'hello world\n');
    fs.mkdirSync(path.join(dir, 'data'));
    fs.writeFileSync(path.join(dir, 'data', 'valid.txt'), 'hello\n');
    const file = path.join(dir, 'form.rnnconfig');
    fs.writeFileSync(file, original);
    uri = vscode.Uri.file(file);
    ({ form, document } = await openForm(uri));
  });

  after(async () => {
    for (const d of vscode.workspace.textDocuments) if (d.uri.fsPath.startsWith(dir) && d.isDirty) await d.save();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('shows the text\'s values in the form', async () => {
    const rendered = await renderedNow(form, document);
    assert.equal(rendered.controls['model.cell'], 'lstm');
    assert.equal(rendered.controls['model.hidden'], '64');
    assert.equal(rendered.controls['training.seed'], '7');
    assert.equal(rendered.controls['training.optimizer'], 'adam');       // a default
    assert.ok(rendered.hidden.includes('model.resetAfter'));              // gru only
    assert.ok(!rendered.hidden.includes('model.peephole'));
    assert.equal(rendered.banner, '');
  });

  it('a form edit changes only that value in the text, byte for byte; undo restores it', async () => {
    await send({ type: 'edit', key: 'model.cell', value: 'gru' });
    assert.equal(document.getText(), original.replace('"cell": "lstm",', '"cell": "gru",'));
    assert.ok(document.isDirty);
    const rendered = await renderedNow(form, document);
    assert.equal(rendered.controls['model.cell'], 'gru');
    assert.ok(rendered.hidden.includes('model.peephole'));
    assert.ok(!rendered.hidden.includes('model.resetAfter'));

    await send({ type: 'edit', key: 'model.layers', value: 2 });
    assert.equal(document.getText(), original.replace('"cell": "lstm",', '"cell": "gru",')
      .replace('"embedding": 16\n', '"embedding": 16,\n    "layers": 2\n'));

    await undo(document);
    await until('undo of layers', () => !document.getText().includes('layers'));
    await undo(document);
    await until('undo of the cell', () => document.getText() === original);
    assert.equal((await renderedNow(form, document)).controls['model.cell'], 'lstm');
  });

  it('reset removes the key and keeps the neighbours\' comments', async () => {
    await send({ type: 'reset', key: 'model.embedding' });
    assert.equal(document.getText(), original.replace('"hidden": 64,\n    "embedding": 16\n', '"hidden": 64\n'));
    assert.equal((await renderedNow(form, document)).controls['model.embedding'], '64');   // the default
    await undo(document);
    await until('undo of the reset', () => document.getText() === original);
  });

  it('a text edit updates the form at once', async () => {
    await replaceText(document, '"hidden": 64', '"hidden": 256');
    assert.equal((await renderedNow(form, document)).controls['model.hidden'], '256');
    await replaceText(document, '"hidden": 256', '"hidden": 64');
    assert.equal((await renderedNow(form, document)).controls['model.hidden'], '64');
  });

  it('a change on disk updates the form', async () => {
    assert.equal(document.getText(), original);
    if (document.isDirty) assert.ok(await document.save());
    fs.writeFileSync(uri.fsPath, original.replace('"hidden": 64', '"hidden": 48'));
    await until('the document to reload from disk', () => document.getText().includes('"hidden": 48'), 30_000);
    assert.equal((await renderedNow(form, document)).controls['model.hidden'], '48');
    fs.writeFileSync(uri.fsPath, original);
    await until('the document to reload the original', () => document.getText() === original, 30_000);
    assert.equal((await renderedNow(form, document)).controls['model.hidden'], '64');
    assert.ok(!document.isDirty);
  });

  it('an invalid value: a diagnostic in the text editor and an error in the form', async () => {
    await replaceText(document, '"hidden": 64', '"hidden": 0');
    const rendered = await renderedNow(form, document);
    assert.match(rendered.errors['model.hidden'], /Must be >= 1/);
    const line = document.getText().split('\n').findIndex((l) => l.includes('"hidden": 0'));
    const diagnostics = await until('a JSON diagnostic on "hidden": 0', () => {
      const found = vscode.languages.getDiagnostics(uri).filter((d) => d.range.start.line === line);
      return found.length ? found : undefined;
    });
    assert.match(diagnostics[0].message, /minimum of 1/);
    await replaceText(document, '"hidden": 0', '"hidden": 64');
    assert.equal((await renderedNow(form, document)).errors['model.hidden'], undefined);
    assert.equal(document.getText(), original);
  });

  it('a field that does not apply to the cell: the schema\'s errorMessage in both editors', async () => {
    await replaceText(document, '"cell": "lstm",', '"cell": "gru", "peephole": true,');
    const rendered = await renderedNow(form, document);
    assert.match(rendered.errors['model.peephole'], /peephole applies only to lstm cells/);
    assert.ok(!rendered.hidden.includes('model.peephole'), 'a pinned field with a wrong value stays visible');
    const line = document.getText().split('\n').findIndex((l) => l.includes('"peephole": true'));
    const diagnostic = await until('a JSON diagnostic on "peephole": true', () =>
      vscode.languages.getDiagnostics(uri).find((d) => d.range.start.line === line && /only to lstm/.test(d.message)));
    assert.ok(diagnostic);
    await replaceText(document, '"cell": "gru", "peephole": true,', '"cell": "lstm",');
    const after = await renderedNow(form, document);
    assert.equal(after.errors['model.peephole'], undefined);
    assert.equal(document.getText(), original);
  });

  it('a file that is not JSON shows the parse error with its position', async () => {
    await replaceText(document, '"task": "lm", ', '"task": "lm" ');
    const rendered = await renderedNow(form, document);
    assert.match(rendered.banner, /line 4, column 3/);
    await replaceText(document, '"task": "lm" ', '"task": "lm", ');
    assert.equal((await renderedNow(form, document)).banner, '');
    await sleep(300);   // time for a stray edit from the form to arrive
    assert.equal(document.getText(), original, 'the form must not write while the text is broken');
  });

  it('completion offers the enum values of model.cell (VS Code\'s JSON support, our schema)', async () => {
    const at = document.positionAt(document.getText().indexOf('"lstm"') + 1);
    const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', uri, at);
    const labels = list.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label).replace(/"/g, ''));
    for (const cell of ['rnn', 'gru', 'lstm']) assert.ok(labels.includes(cell), `${cell} not offered: ${labels.join(', ')}`);
  });

  it('completion offers data files relative to the config', async () => {
    const text = document.getText();
    const inTrain = document.positionAt(text.indexOf('"corpus.txt"') + 1);
    let list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', uri, inTrain);
    let labels = list.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
    assert.ok(labels.includes('corpus.txt') && labels.includes('data/'), labels.join(', '));
    assert.ok(!labels.includes('form.rnnconfig'));

    await replaceText(document, '"tokenizer": "char"', '"validation": "data/", "tokenizer": "char"');
    const inValidation = document.positionAt(document.getText().indexOf('"data/"') + 6);
    list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', uri, inValidation);
    labels = list.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
    assert.ok(labels.includes('valid.txt'), labels.join(', '));
    await replaceText(document, '"validation": "data/", "tokenizer": "char"', '"tokenizer": "char"');
  });

  it('a code lens "Train with This Config" sits at the top', async () => {
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri);
    const train = lenses.find((l) => l.command?.command === 'rnnLab.trainWithConfig');
    assert.ok(train, lenses.map((l) => l.command?.title).join(', '));
    assert.equal(train.range.start.line, 0);
    assert.equal((train.command!.arguments![0] as vscode.Uri).toString(), uri.toString());
  });

  it('"Train with This Config" in the form saves the file and trains with it', async () => {
    const api = await vscode.extensions.getExtension<RnnLabApi>(extensionId)!.activate();
    const file = path.join(dir, 'tiny.rnnconfig');
    fs.writeFileSync(file, '{\n  "task": "lm",\n  "data": { "train": "corpus.txt", "validation": 0 },\n'
      + '  "model": { "cell": "gru", "hidden": 8, "embedding": 4 },\n'
      + '  "training": { "batchSize": 2, "sequenceLength": 4, "steps": 3, "evalEvery": 1, "sampleEvery": 0 }\n}\n');
    const { form: tinyForm, document: tinyDocument } = await openForm(vscode.Uri.file(file));
    const before = new Set(api.runs().map((r) => r.dir));
    await tinyForm.deliver({ type: 'edit', key: 'training.seed', value: 11 });
    assert.ok(tinyDocument.isDirty);
    await tinyForm.deliver({ type: 'train' });
    assert.ok(!tinyDocument.isDirty, 'saved before training: the worker reads the file from disk');
    const run = await until('a finished run of tiny.rnnconfig', () => api.runs().find((r) => !before.has(r.dir) && r.status === 'finished'), 90_000);
    assert.equal(run.step, 3);
    assert.match(fs.readFileSync(path.join(run.dir, 'config.rnnconfig'), 'utf8'), /"seed": 11/);
  });

  it('"Open as Text" replaces the form\'s tab: no two tabs with the same name', async () => {
    await vscode.commands.executeCommand('vscode.openWith', uri, configEditorViewType);
    const tabsOf = () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) =>
      (t.input instanceof vscode.TabInputCustom || t.input instanceof vscode.TabInputText) && t.input.uri.fsPath === uri.fsPath);
    assert.ok(tabsOf().some((t) => t.input instanceof vscode.TabInputCustom), 'the form is open in a tab');
    await send({ type: 'openText' });
    const tabs = tabsOf();
    assert.deepEqual(tabs.map((t) => [t.label, t.input instanceof vscode.TabInputText]), [['form.rnnconfig', true]]);
    await vscode.window.tabGroups.close(tabs);
  });

  it('"Train on This File" from the palette with the form in front trains with the form\'s config', async () => {
    const api = await vscode.extensions.getExtension<RnnLabApi>(extensionId)!.activate();
    const file = path.join(dir, 'palette.rnnconfig');
    fs.writeFileSync(file, '{\n  "task": "lm",\n  "data": { "train": "corpus.txt", "validation": 0 },\n'
      + '  "model": { "cell": "gru", "hidden": 8, "embedding": 4 },\n'
      + '  "training": { "batchSize": 2, "sequenceLength": 4, "steps": 3, "evalEvery": 1, "sampleEvery": 0, "seed": 12 }\n}\n');
    await vscode.commands.executeCommand('vscode.openWith', vscode.Uri.file(file), 'rnnLab.configEditor');
    const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
    assert.ok(input instanceof vscode.TabInputCustom && input.uri.fsPath === file, 'the form is the active tab');
    assert.equal(vscode.window.activeTextEditor, undefined, 'no text editor is active: the form is a webview');
    const before = new Set(api.runs().map((r) => r.dir));
    await vscode.commands.executeCommand('rnnLab.trainOnFile');
    const run = await until('a finished run of palette.rnnconfig', () => api.runs().find((r) => !before.has(r.dir) && r.status === 'finished'), 90_000);
    assert.match(run.id, /-palette$/);
    assert.match(fs.readFileSync(path.join(run.dir, 'config.rnnconfig'), 'utf8'), /"seed": 12/);
  });

  it('New RNN Config writes a preset into the folder, with data.train, and opens the form', async () => {
    const created = await vscode.commands.executeCommand<vscode.Uri>('rnnLab.newConfig', vscode.Uri.file(dir),
      { preset: 'bilstm-tagger', name: 'tagger', train: 'corpus.txt' });
    assert.equal(created.fsPath, path.join(dir, 'tagger.rnnconfig'));
    const text = fs.readFileSync(created.fsPath, 'utf8');
    const preset = fs.readFileSync(path.join(vscode.extensions.getExtension(extensionId)!.extensionPath, 'presets', 'bilstm-tagger.rnnconfig'), 'utf8');
    assert.equal(text, preset.replace('"train": "",', '"train": "corpus.txt",'));
    const formTab = () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputCustom
      && t.input.viewType === configEditorViewType && t.input.uri.toString() === created.toString());
    assert.ok(await until('the new config open in the form editor', formTab));
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('rnnLab.newConfig', vscode.Uri.file(dir), { preset: 'bilstm-tagger', name: 'tagger' })),
      /already exists/);
  });
});
