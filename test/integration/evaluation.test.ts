// Evaluate Model on File in a real extension host: a classifier and a char language model are trained
// here; an Evaluation panel built with a recording transport shows what the inference worker found
// (the real webview asks for it with `ready`), and the figures are evaluateModelFile's, saved as
// eval-<file>.json in the run folder, the same object `rnn-lab eval --json` prints. The command
// itself, given a run and a file, scores a language model (perplexity = exp(loss)).
import { strict as assert } from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { RnnLabApi } from '../../src/protocol/api';
import type { EvalReport, EvaluationToHost, HostToEvaluation } from '../../src/protocol/evaluation';
import { evaluateOnFile } from '../../src/host/evaluation';
import { EvaluationPanel, evaluationViewType } from '../../src/host/evaluation/evaluationPanel';
import { evaluateModelFile } from '../../src/pipeline/eval/evalFile';
import { InferenceClient, type EvaluationAnswer } from '../../src/pipeline/inference/inferenceClient';
import { trainPreset } from './fixtures';
import { TransportRecorder } from './transports';

const extensionId = 'rnn-lab.rnn-lab';
type Sent<T extends HostToEvaluation['type']> = Extract<HostToEvaluation, { type: T }>;
const isSent = <T extends HostToEvaluation['type']>(type: T) => (m: HostToEvaluation): m is Sent<T> => m.type === type;

/**
 * The extension host runs the engine's TypeScript kernels, the worker (and the CLI) WebAssembly
 * float32 ones: figures agree to 5 significant digits, counts exactly.
 */
const rounded = (v: unknown): unknown => JSON.parse(JSON.stringify(v, (_, x) => (typeof x === 'number' ? Number(x.toPrecision(5)) : x)));

describe('Evaluate Model on File', function () {
  this.timeout(240_000);
  let extension: vscode.Extension<RnnLabApi>;
  let dir: string, classifier: string, lm: string;

  before(async () => {
    extension = vscode.extensions.getExtension<RnnLabApi>(extensionId)!;
    await extension.activate();
    const root = vscode.workspace.workspaceFolders![0].uri.fsPath;
    dir = fs.mkdtempSync(path.join(root, 'evaluation-it-'));
    for (const f of ['topics.tsv', 'corpus.txt']) fs.copyFileSync(path.join(root, f), path.join(dir, f));
    [classifier, lm] = await Promise.all([
      trainPreset(extension.extensionPath, dir, 'topics', 'gru-classifier.rnnconfig', 'topics.tsv', [[['training', 'steps'], 80], [['model', 'hidden'], 32]]),
      trainPreset(extension.extensionPath, dir, 'corpus', 'char-lstm-lm.rnnconfig', 'corpus.txt',
        [[['training', 'steps'], 60], [['model', 'hidden'], 32], [['training', 'sequenceLength'], 32]]),
    ]);
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('shows a classifier\'s figures in the panel: evaluateModelFile\'s, saved as eval-<file>.json, as rnn-lab eval --json prints them', async () => {
    const recorder = new TransportRecorder();
    const client = new InferenceClient(path.join(extension.extensionPath, 'dist', 'inferenceWorker.js'));
    const panel = new EvaluationPanel(extension.extensionUri, recorder.connect);
    const file = path.join(dir, 'topics.tsv');
    try {
      const answer = (await evaluateOnFile({ client, panel }, classifier, file))!;
      const t = await recorder.nth<HostToEvaluation, EvaluationToHost>(evaluationViewType);
      await t.receivedMatching('the webview is ready', (m): m is Extract<EvaluationToHost, { type: 'ready' }> => m.type === 'ready');
      const shown = await t.sentMatching('the result', isSent('result'));
      const report = shown.view.report;
      assert.deepEqual(report, answer.report);
      assert.equal(report.task, 'classify');

      const here = evaluateModelFile(classifier, file, 'engine');
      assert.deepEqual(rounded(report), rounded(here.report));
      if (report.task !== 'classify' || here.report.task !== 'classify') return;
      assert.deepEqual(report.confusion, here.report.confusion);
      assert.deepEqual(report.confusion.labels, ['food', 'sport', 'weather']);
      const lines = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).length;
      assert.equal(report.confusion.matrix.flat().reduce((a, n) => a + n, 0), lines, 'one count per line of the file');
      console.log(`evaluation: classifier on topics.tsv: loss ${report.loss.toFixed(4)}, accuracy ${report.accuracy.toFixed(4)}, macro F1 ${report.macroF1.toFixed(4)}`);
      assert.equal(shown.view.step, here.step);

      assert.equal(answer.saved, path.join(classifier, 'eval-topics.tsv.json'));
      const saved = fs.readFileSync(answer.saved, 'utf8');
      assert.deepEqual(JSON.parse(saved), report);
      const cli = execFileSync(process.execPath, [path.join(extension.extensionPath, 'dist', 'cli.js'), 'eval', classifier, file, '--json'],
        { encoding: 'utf8', env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } });
      assert.equal(saved, cli, 'eval-topics.tsv.json is what rnn-lab eval --json prints');
    } finally {
      panel.dispose();
      client.dispose();
    }
  });

  it('the command scores a run on a file given as arguments: a language model\'s loss, perplexity = exp(loss), bits per token', async () => {
    const file = path.join(dir, 'corpus.txt');
    const answer = await vscode.commands.executeCommand<EvaluationAnswer | undefined>('rnnLab.evaluate', lm, file);
    assert.ok(answer, 'the command answered');
    const report: EvalReport = answer.report;
    assert.equal(report.task, 'lm');
    if (report.task !== 'lm') return;
    assert.ok(Math.abs(report.perplexity - Math.exp(report.loss)) < 1e-9 * report.perplexity);
    assert.ok(Math.abs(report.bitsPerToken - report.loss / Math.LN2) < 1e-12);
    assert.deepEqual(rounded(report), rounded(evaluateModelFile(lm, file, 'engine').report));
    assert.deepEqual(JSON.parse(fs.readFileSync(path.join(lm, 'eval-corpus.txt.json'), 'utf8')), report);
    console.log(`evaluation: char lm on corpus.txt: ${report.tokens} tokens, loss ${report.loss.toFixed(4)}, perplexity ${report.perplexity.toFixed(3)}`);
  });
});
