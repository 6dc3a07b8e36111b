// Inference in a real extension host: models trained here (a tagger on the notes' name tagging, a
// classifier, a char language model) label editors through the real commands, checked through the
// API: exact ranges and labels (also on a CRLF + emoji file), surprisal, line classes, hovers with
// <unk>, clear; debounce and cancel on rapid edits; a 1 MB file stays responsive; the Predictions
// panel's content; samples stream into the Samples panel; Import ONNX Model makes a run.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { RnnLabApi, TokenDecoration } from '../../src/protocol/api';
import type { HostToSamples, SampleRecord, SamplesToHost } from '../../src/protocol/samples';
import { createInferenceFeature, type InferenceFeature } from '../../src/host/inference';
import { samplesViewType } from '../../src/host/inference/samplesPanel';
import { predictionsViewType } from '../../src/host/inference/predictionsPanel';
import type { HostToPredictions, PredictionsToHost } from '../../src/protocol/predictions';
import { InferenceClient } from '../../src/pipeline/inference/inferenceClient';
import { exportRunToOnnx } from '../../src/pipeline/loadModel';
import { describeLag, measureEventLoopLag } from './eventLoopLag';
import { memento, trainPreset } from './fixtures';
import { RecordingInference, TransportRecorder } from './transports';
import { concatAmplification } from '../unit/onnx/hostileModels';

const extensionId = 'rnn-lab.rnn-lab';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until<T>(what: string, probe: () => T | undefined | false, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
    await sleep(50);
  }
}

async function openFile(file: string, content: string): Promise<vscode.TextEditor> {
  fs.writeFileSync(file, content);
  const document = await vscode.workspace.openTextDocument(file);
  return vscode.window.showTextDocument(document);
}

const example = 'Harry Potter and Hermione Granger invented a new spell';
const expectedExample = [['Harry', '1'], ['Potter', '1'], ['and', '0'], ['Hermione', '1'], ['Granger', '1'],
  ['invented', '0'], ['a', '0'], ['new', '0'], ['spell', '0']];

/** Every decoration's range holds its token's text exactly. */
function assertExactRanges(document: vscode.TextDocument, decorations: readonly TokenDecoration[]): void {
  const text = document.getText();
  for (const d of decorations) assert.equal(text.slice(d.start, d.end), d.token, `range ${d.start}-${d.end}`);
}

describe('inference in the editor', function () {
  this.timeout(240_000);
  let api: RnnLabApi;
  let extension: vscode.Extension<RnnLabApi>;
  let dir: string;
  let tagger: string, classifier: string, lm: string;

  before(async () => {
    extension = vscode.extensions.getExtension<RnnLabApi>(extensionId)!;
    api = await extension.activate();
    const root = vscode.workspace.workspaceFolders![0].uri.fsPath;
    dir = fs.mkdtempSync(path.join(root, 'inference-it-'));
    for (const f of ['names.tsv', 'topics.tsv', 'corpus.txt']) fs.copyFileSync(path.join(root, f), path.join(dir, f));
    const started = Date.now();
    [tagger, classifier, lm] = await Promise.all([
      trainPreset(extension.extensionPath, dir, 'names', 'bilstm-tagger.rnnconfig', 'names.tsv', [[['training', 'steps'], 150], [['model', 'hidden'], 32]]),
      trainPreset(extension.extensionPath, dir, 'topics', 'gru-classifier.rnnconfig', 'topics.tsv', [[['training', 'steps'], 120], [['model', 'hidden'], 32]]),
      trainPreset(extension.extensionPath, dir, 'corpus', 'char-lstm-lm.rnnconfig', 'corpus.txt',
        [[['training', 'steps'], 150], [['model', 'hidden'], 48], [['training', 'sequenceLength'], 32], [['sampling', 'temperature'], 0.7]]),
    ]);
    console.log(`inference: trained tagger, classifier and lm in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });

  after(async () => {
    await vscode.commands.executeCommand('rnnLab.clearTokenLabels');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('tags the names of the notes\' example, with exact ranges', async () => {
    const editor = await openFile(path.join(dir, 'example.txt'), `${example}\n`);
    await vscode.commands.executeCommand('rnnLab.labelTokens', tagger);
    const decorations = api.decorations(editor.document.uri.toString());
    assert.deepEqual(decorations.map((d) => [d.token, d.label]), expectedExample);
    assert.deepEqual(decorations.map((d) => d.start), [0, 6, 13, 17, 26, 34, 43, 45, 49]);
    assertExactRanges(editor.document, decorations);
    for (const d of decorations) assert.ok(d.p! > 0.5 && d.p! <= 1, `p of ${d.token}: ${d.p}`);
  });

  it('keeps exact ranges in a CRLF file with tabs, emoji and combining marks; the hover notes <unk>', async () => {
    const content = `${example}\r\nHarry\tPotter 😀 met Hermione Granger\r\nJose\u0301 and 👩‍🔬 Hermione (Granger).\r\n`;
    const editor = await openFile(path.join(dir, 'crlf.txt'), content);
    assert.equal(editor.document.eol, vscode.EndOfLine.CRLF);
    await vscode.commands.executeCommand('rnnLab.labelTokens', tagger);
    const decorations = api.decorations(editor.document.uri.toString());
    assertExactRanges(editor.document, decorations);
    assert.deepEqual(decorations.slice(0, 9).map((d) => [d.token, d.label]), expectedExample);
    const line2 = content.indexOf('Harry\tPotter');
    const emoji = decorations.find((d) => d.token === '😀')!;
    assert.deepEqual([emoji.start, emoji.end], [content.indexOf('😀'), content.indexOf('😀') + 2]);
    assert.ok(decorations.some((d) => d.token === 'Potter' && d.start === line2 + 6));
    assert.ok(decorations.some((d) => d.token === 'Jose\u0301'), 'a combining mark stays inside its word');
    assert.ok(decorations.some((d) => d.token === 'Granger' && content.slice(d.end, d.end + 2) === ').'));
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', editor.document.uri,
      editor.document.positionAt(emoji.start));
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    assert.match(text, /<unk>/, `hover: ${text}`);
    assert.match(text, /Label probabilities: `0` [\d.]+ · `1` [\d.]+|Label probabilities: `1` [\d.]+ · `0` [\d.]+/);
  });

  it('shows surprisal for a language model: gibberish surprises it more than its own text', async () => {
    const content = 'the keeper climbed the steps of the tower\nzqxj vkqz jjxq qzxv\n';
    const editor = await openFile(path.join(dir, 'surprise.txt'), content);
    await vscode.commands.executeCommand('rnnLab.labelTokens', lm);
    const decorations = api.decorations(editor.document.uri.toString());
    assertExactRanges(editor.document, decorations);
    assert.equal(decorations.length, [...content].length, 'one per character, line breaks included');
    const mean = (from: number, to: number) => {
      const s = decorations.filter((d) => d.start >= from && d.end <= to).map((d) => d.surprisal!);
      return s.reduce((a, b) => a + b, 0) / s.length;
    };
    const split = content.indexOf('\n');
    const [own, gibberish] = [mean(0, split), mean(split + 1, content.length)];
    console.log(`inference: mean surprisal ${own.toFixed(2)} nats on corpus-like text, ${gibberish.toFixed(2)} on gibberish`);
    assert.ok(decorations.every((d) => d.surprisal! >= 0 && d.label === undefined));
    assert.ok(gibberish > own + 0.5, `gibberish ${gibberish} vs own ${own}`);
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', editor.document.uri,
      editor.document.positionAt(split + 3));   // the "x" of "zqxj"
    const hover = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    assert.match(hover, /`x`: surprisal \*\*[\d.]+ nats\*\* \([\d.]+ bits\), p [\d.]+/, hover);
    assert.match(hover, /Most likely here: (`[^`]+` [\d.]+ · ){4}`[^`]+` [\d.]+/, hover);
  });

  it('labels each line with the classifier\'s class and p', async () => {
    const lines = ['The bread was baked fresh at dawn with butter and jam.', '', 'A summer storm kept falling all night after sunset.'];
    const editor = await openFile(path.join(dir, 'topics.txt'), lines.join('\n'));
    await vscode.commands.executeCommand('rnnLab.labelTokens', classifier);
    const decorations = api.decorations(editor.document.uri.toString());
    assert.deepEqual(decorations.map((d) => [d.start, d.end, d.token]),
      [[0, lines[0].length, lines[0]], [lines[0].length + 2, lines[0].length + 2 + lines[2].length, lines[2]]]);
    assert.deepEqual(decorations.map((d) => d.label), ['food', 'weather']);
    for (const d of decorations) assert.ok(d.p! > 0.5, `p ${d.p}`);
  });

  it('Toggle Token Labels hides and shows them; Clear Token Labels removes them', async () => {
    const uri = vscode.window.activeTextEditor!.document.uri.toString();
    const shown = api.decorations(uri);
    assert.ok(shown.length > 0);
    await vscode.commands.executeCommand('rnnLab.toggleTokenLabels');
    assert.deepEqual(api.decorations(uri), []);
    await vscode.commands.executeCommand('rnnLab.toggleTokenLabels');
    assert.deepEqual(api.decorations(uri), shown);
    await vscode.commands.executeCommand('rnnLab.clearTokenLabels');
    assert.deepEqual(api.decorations(uri), []);
  });

  describe('live re-labelling (a feature built by the test, its client recording the label jobs)', () => {
    let feature: InferenceFeature;
    let jobs: RecordingInference;
    const delayMs = 2500;   // generous: an edit on a loaded machine can take a while
    before(() => {
      jobs = new RecordingInference(new InferenceClient());
      feature = createInferenceFeature(extension.extensionUri, memento(), () => delayMs, { client: jobs });
    });
    after(() => feature.dispose());
    /** Started, cancelled and answered label jobs from the `from`-th on, lines computed and cached in the answers. */
    const statsFrom = (from: number) => {
      const since = jobs.labelJobs.slice(from);
      const answers = since.flatMap((j) => (j.answer ? [j.answer] : []));
      return {
        jobsStarted: since.length, jobsCancelled: since.filter((j) => j.cancelled).length, jobsAnswered: answers.length,
        linesComputed: answers.reduce((n, a) => n + a.linesComputed, 0), linesCached: answers.reduce((n, a) => n + a.linesCached, 0),
      };
    };

    it('debounces rapid edits into one job and re-runs only the changed lines', async () => {
      const editor = await openFile(path.join(dir, 'live.txt'), Array.from({ length: 40 }, () => example).join('\n'));
      const first = jobs.labelJobs.length;
      await feature.labels.label(editor.document, tagger);
      assert.deepEqual([statsFrom(first).jobsStarted, statsFrom(first).jobsAnswered], [1, 1]);
      const gaps: number[] = [];
      for (let i = 0, last = Date.now(); i < 12; i++) {
        await editor.edit((b) => b.insert(new vscode.Position(5, 0), 'Ron '));
        gaps.push(Date.now() - last);
        last = Date.now();
      }
      await jobs.until('the edits relabelled', () => statsFrom(first).jobsAnswered >= 2, 20_000);
      await sleep(delayMs + 500);
      const stats = statsFrom(first);
      console.log(`inference: 12 edits, gaps ${gaps.join(' ')} ms, ${JSON.stringify(stats)}`);
      // One job after the burst; a gap longer than the delay (a very slow machine) may add one more.
      const slowGaps = gaps.slice(1).filter((g) => g >= delayMs).length;
      assert.ok(stats.jobsStarted >= 2 && stats.jobsStarted <= 2 + slowGaps, `jobs ${stats.jobsStarted} for 12 edits (${slowGaps} gaps over ${delayMs} ms)`);
      // 40 equal lines: each job ran the one new line text and took the other 39 from the cache.
      assert.deepEqual([stats.linesComputed, stats.linesCached], [stats.jobsAnswered, 39 * stats.jobsAnswered]);
      const decorations = feature.labels.decorations(editor.document.uri.toString());
      assertExactRanges(editor.document, decorations);
      assert.equal(decorations.length, 40 * 9 + 12);
    });

    it('cancels a job that an edit supersedes', async () => {
      // Distinct lines, so the worker has real work (nothing cached) when the edit lands.
      const lines = Array.from({ length: 3000 }, (_, i) => `Harry Potter ${i} and Hermione Granger invented a new spell`);
      const editor = await openFile(path.join(dir, 'cancel.txt'), lines.join('\n'));
      const first = jobs.labelJobs.length;
      const running = feature.labels.label(editor.document, tagger);
      await editor.edit((b) => b.insert(new vscode.Position(1, 0), 'Ron '));
      assert.equal(await running, undefined, 'the superseded job gave nothing');
      assert.deepEqual(jobs.labelJobs.slice(first).map((j) => j.cancelled), [true], 'the edit cancelled the running job');
      // The job after the debounce (its answer is applied by the time the wait sees it).
      await jobs.until('the edited text labelled', () => jobs.labelJobs[first + 1]?.answer, 60_000);
      const decorations = feature.labels.decorations(editor.document.uri.toString());
      assertExactRanges(editor.document, decorations);
      assert.equal(decorations.length, 3000 * 10 + 1);
      assert.deepEqual(decorations.slice(10, 13).map((d) => d.token), ['Ron', 'Harry', 'Potter']);
    });

    it('keeps the extension host responsive while a 1 MB file is labelled where it is visible', async () => {
      const sentence = `${example}\n`;
      const content = sentence.repeat(Math.ceil(1_000_000 / sentence.length));
      const editor = await openFile(path.join(dir, 'large.txt'), content);
      const started = Date.now();
      const { result: decorations, lag } = await measureEventLoopLag(async () => {
        await feature.labels.label(editor.document, tagger);
        return feature.labels.decorations(editor.document.uri.toString());
      });
      console.log(`inference: 1 MB file labelled in ${Date.now() - started} ms, ${decorations.length} tokens; ${describeLag(lag)}`);
      assert.ok(decorations.length > 0 && decorations.length < 5000, `only the visible part: ${decorations.length} tokens`);
      assertExactRanges(editor.document, decorations);
      assert.ok(lag.worstRunMs < 100, `the host's thread ran ${Math.round(lag.worstRunMs)} ms without yielding: ${describeLag(lag)}`);
    });
  });

  it('fills the Predictions panel: top-k next characters for an lm, label probabilities for a tagger', async () => {
    const editor = await openFile(path.join(dir, 'predict.txt'), 'the keeper\n');
    const result = await vscode.commands.executeCommand<{ tokens: unknown[] }>('rnnLab.showPredictions', lm);
    assert.ok(result, 'predictions computed');
    const shown = api.lastPredictions()!;
    assert.deepEqual(shown.map((t) => t.token), ['t', 'h', 'e', ' ', 'k', 'e', 'e', 'p', 'e', 'r', '⏎']);
    assert.deepEqual(shown.map((t) => t.start), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    for (const t of shown) {
      assert.equal(t.top.length, 5);
      assert.ok(t.top.every((a, i) => i === 0 || a.p <= t.top[i - 1].p), 'most likely first');
    }
    assert.equal(shown[2].top[0].token, 'e', 'after "th" the model expects "e"');

    await vscode.window.showTextDocument(editor.document);
    await openFile(path.join(dir, 'predict-tag.txt'), example);
    await vscode.commands.executeCommand('rnnLab.showPredictions', tagger);
    const tags = api.lastPredictions()!;
    assert.deepEqual(tags.map((t) => [t.token, t.top[0].token]), expectedExample);
    for (const t of tags) assert.ok(Math.abs(t.top.reduce((s, a) => s + a.p, 0) - 1) < 1e-4, 'label probabilities sum to 1');
  });

  it('clicking a one-character token in the Predictions panel puts the cursor on it: no selection, so no other "e" lights up', async () => {
    const recorder = new TransportRecorder();
    const feature = createInferenceFeature(extension.extensionUri, memento(), undefined, { connect: recorder.connect });
    try {
      const text = 'the keeper keeps\n';
      const editor = await openFile(path.join(dir, 'reveal.txt'), text);
      const started = Date.now();
      const shown = feature.predictions.show(editor, lm);
      const panel = await recorder.nth<HostToPredictions, PredictionsToHost>(predictionsViewType);
      const result = (await shown)!;
      console.log(`inference: Predictions panel of ${result.tokens.length} tokens shown ${Date.now() - started} ms after the call (a fresh panel)`);
      const e = result.tokens.find((t) => t.token === 'e' && t.start > 3)!;
      await panel.deliver({ type: 'reveal', start: e.start, end: e.end });
      const active = vscode.window.activeTextEditor!;
      assert.equal(active.document.uri.fsPath, editor.document.uri.fsPath);
      assert.ok(active.selection.isEmpty, 'nothing selected');
      assert.equal(active.document.offsetAt(active.selection.active), e.start, 'the cursor at the token');
    } finally {
      feature.dispose();
    }
  });

  it('Sample from Model… generates into the Samples panel', async () => {
    const outcome = await vscode.commands.executeCommand<SampleRecord>('rnnLab.sample',
      { model: lm, settings: { prime: 'The keeper ', length: 120, temperature: 0.8, seed: 3 } });
    assert.equal(outcome.status, 'done');
    assert.equal(outcome.tokens, 120);
    assert.ok(outcome.text.startsWith('The keeper '));
    assert.equal([...outcome.text].length, 'The keeper '.length + 120);
  });

  it('streams a sample into the Samples panel webview, several chunks (a panel built by the test)', async () => {
    const recorder = new TransportRecorder();
    const feature = createInferenceFeature(extension.extensionUri, memento(), undefined, { connect: recorder.connect });
    try {
      await feature.samples.open(lm);
      const panel = await recorder.nth<HostToSamples, SamplesToHost>(samplesViewType);
      const init = await panel.sentMatching('the panel\'s init', (m): m is Extract<HostToSamples, { type: 'init' }> => m.type === 'init', 90_000);
      assert.equal(init.settings.temperature, 0.7, 'the panel starts at the config\'s temperature');
      assert.equal(init.models.find((m) => m.path === lm)?.settings.temperature, 0.7);
      const outcome = await feature.samples.generate(lm, { ...feature.samples.settings(), prime: 'The keeper ', length: 120, temperature: 0.8, seed: 3 });
      const ofThis = panel.sent.filter((m) => ('id' in m && m.id === outcome.id) || (m.type === 'started' && m.sample.id === outcome.id));
      const chunks = ofThis.flatMap((m) => (m.type === 'chunk' ? [m] : []));
      console.log(`inference: sample of ${outcome.tokens} tokens in ${chunks.length} chunks: ${JSON.stringify(outcome.text.slice(0, 60))}…`);
      assert.equal(ofThis[0].type, 'started');
      assert.deepEqual(ofThis[ofThis.length - 1], { type: 'finished', id: outcome.id, status: 'done', tokens: 120, message: undefined });
      assert.ok(chunks.length > 1, `chunks: ${chunks.length}`);
      assert.equal('The keeper ' + chunks.map((c) => c.text).join(''), outcome.text, 'the chunks add up to the sample');
      assert.deepEqual(chunks.map((c) => c.tokens), chunks.map((_, i) => i + 1), 'one token per chunk, counted');
    } finally {
      feature.dispose();
    }
  });

  it('imports an .onnx file as a run that can be sampled; refuses a bad file', async () => {
    const onnxFile = path.join(dir, 'corpus-lm.onnx');
    fs.writeFileSync(onnxFile, exportRunToOnnx(lm));
    const runDir = await vscode.commands.executeCommand<string>('rnnLab.importOnnx', vscode.Uri.file(onnxFile));
    assert.ok(runDir && fs.existsSync(path.join(runDir, 'model.onnx')));
    const run = await until('the imported run listed', () => api.runs().find((r) => r.dir === runDir));
    assert.deepEqual([run.status, run.task], ['imported', 'lm']);
    const outcome = await vscode.commands.executeCommand<SampleRecord>('rnnLab.sample', { dir: runDir, settings: { prime: 'a', length: 20, seed: 1 } });
    assert.equal(outcome.tokens, 20);
    fs.rmSync(runDir, { recursive: true, force: true });

    const runsBefore = api.runs().length;
    const bad = path.join(dir, 'bad.onnx');
    fs.writeFileSync(bad, 'not a model');
    assert.equal(await vscode.commands.executeCommand('rnnLab.importOnnx', vscode.Uri.file(bad)), undefined);
    // ~100 KB that would unfold into 800 MB: refused by the import budget, in the inference worker.
    const amplified = path.join(dir, 'amplified.onnx');
    fs.writeFileSync(amplified, concatAmplification());
    assert.equal(await vscode.commands.executeCommand('rnnLab.importOnnx', vscode.Uri.file(amplified)), undefined);
    assert.equal(api.runs().length, runsBefore, 'no run folder left by a refused import');
  });
});
