// rnn-lab eval (DESIGN.md §4 "Evaluation"): PyTorch's cross-entropy and scores on its fixture models
// (scripts/fixtures/torch_eval.py), the mean surprisal of `label` equal to the eval loss, perplexity =
// exp(loss), an early-stopped run's model.onnx scoring its bestValLoss on its validation file, and
// bad files told in words.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { exportModel, importModel } from '../../../src/onnx';
import { toOnnxMetadata } from '../../../src/pipeline/modelMeta';
import { readRunStatus } from '../../../src/pipeline/runStore';
import { config, jsonLines, REPO, runCli, runCliInProcess, tempDir } from './cliHarness';

const tmp = tempDir('rnnlab-eval-');
after(() => tmp.cleanup());

interface TorchCase {
  readonly task: 'lm' | 'tag' | 'classify';
  readonly tokenizer: 'char' | 'word';
  readonly vocab: string[];
  readonly labels: string[];
  readonly text: string;
  readonly expected: Record<string, any> & { loss: number };
}

const fixtures = path.join(REPO, 'test', 'fixtures', 'eval');
const torchCases = (JSON.parse(fs.readFileSync(path.join(fixtures, 'eval.json'), 'utf8')) as { cases: TorchCase[] }).cases;

/** The fixture's torch.onnx.export model with RNN Lab's metadata (vocabulary, labels, task), and its data file. */
function withMetadata(c: TorchCase): { model: string; data: string } {
  const imported = importModel(fs.readFileSync(path.join(fixtures, `${c.task}.onnx`)), `${c.task}.onnx`);
  const meta = { task: c.task, tokenizer: { kind: c.tokenizer, lowercase: false, vocab: c.vocab }, labels: c.labels, config: null };
  const model = tmp.file(`torch-${c.task}.onnx`, Buffer.from(exportModel(imported.spec, imported.params, toOnnxMetadata(meta))));
  return { model, data: tmp.file(`torch-${c.task}.${c.task === 'lm' ? 'txt' : 'tsv'}`, c.text) };
}

async function evalJson(args: string[]): Promise<Record<string, any>> {
  const r = await runCliInProcess(['eval', ...args, '--json'], tmp.dir);
  assert.equal(r.code, 0, r.stderr);
  const [report, ...rest] = jsonLines(r.stdout);
  assert.equal(rest.length, 0, 'one JSON object');
  return report;
}

const close = (actual: number, expected: number, what: string, rel = 1e-5) =>
  assert.ok(Math.abs(actual - expected) <= rel * Math.abs(expected), `${what}: ${actual} vs ${expected}`);

describe('cli: eval against PyTorch (scripts/fixtures/torch_eval.py)', function () {
  this.timeout(60_000);
  for (const c of torchCases) {
    for (const backend of ['engine', 'ort']) {
      it(`${c.task} (${backend}): ${c.task === 'lm' ? 'cross-entropy, perplexity = exp(loss), bits per token' : 'cross-entropy, accuracy, per-label scores, macro F1, confusion'}`, async () => {
        const { model, data } = withMetadata(c);
        const report = await evalJson([model, data, '--backend', backend]);
        close(report.loss, c.expected.loss, 'loss');
        if (c.task === 'lm') {
          assert.deepEqual(Object.keys(report), ['task', 'tokens', 'loss', 'perplexity', 'bitsPerToken']);
          assert.equal(report.tokens, c.expected.tokens);
          assert.equal(report.perplexity, Math.exp(report.loss));
          assert.equal(report.bitsPerToken, report.loss / Math.LN2);
          return;
        }
        assert.deepEqual(Object.keys(report), ['task', 'loss', 'accuracy', 'macroF1', 'labels', 'confusion']);
        const { loss: _loss, ...scores } = c.expected;
        const { loss: _ours, ...ours } = report;
        assert.deepEqual(ours, scores);
      });
    }
  }
});

describe('cli: eval agrees with label and with training', function () {
  this.timeout(120_000);

  it('the mean surprisal label prints is the eval loss (char and word language models)', async () => {
    const lm = torchCases.find((c) => c.task === 'lm')!;
    const { model, data } = withMetadata(lm);
    const wordModel = tmp.file('word-lm.onnx', Buffer.from(exportModel(
      { ...importModel(fs.readFileSync(path.join(fixtures, 'lm.onnx')), 'lm.onnx').spec },
      importModel(fs.readFileSync(path.join(fixtures, 'lm.onnx')), 'lm.onnx').params,
      toOnnxMetadata({ task: 'lm', tokenizer: { kind: 'word', lowercase: false, vocab: lm.vocab }, labels: [], config: null }))));
    const wordText = tmp.file('words.txt', 'a b c\nd e, a b\n\ne e e!\r\nb');
    for (const [m, file] of [[model, data], [wordModel, wordText]]) {
      const labelled = await runCliInProcess(['label', m, file, '--json'], tmp.dir);
      assert.equal(labelled.code, 0, labelled.stderr);
      const surprisals = jsonLines(labelled.stdout).map((t) => t.surprisal as number);
      const report = await evalJson([m, file]);
      assert.equal(surprisals.length, report.tokens, 'label shows every token eval predicts');
      close(surprisals.reduce((a, s) => a + s, 0) / surprisals.length, report.loss, 'mean surprisal', 1e-12);
    }
  });

  it('an early-stopped run\'s model.onnx, evaluated on its validation file, scores its bestValLoss', async () => {
    const corpus = path.join(REPO, 'samples', 'corpus.txt');
    const text = fs.readFileSync(corpus, 'utf8');
    const train = tmp.file('early-train.txt', text.slice(0, 18_000));
    const validation = tmp.file('early-valid.txt', text.slice(18_000));
    tmp.file('early.rnnconfig', config({
      task: 'lm', data: { train, validation, tokenizer: 'char' }, model: { cell: 'gru', hidden: 32, embedding: 8 },
      training: { steps: 2000, batchSize: 8, sequenceLength: 32, learningRate: 0.05, evalEvery: 10, earlyStoppingPatience: 2, sampleEvery: 0 },
    }));
    const runDir = path.join(tmp.dir, 'early-run');
    const trained = await runCli(['train', 'early.rnnconfig', '--out', runDir], tmp.dir);
    assert.equal(trained.code, 0, trained.stderr);
    const status = readRunStatus(runDir)!;
    assert.equal(status.status, 'early-stopped');
    assert.ok(status.bestStep! < status.step, `best step ${status.bestStep} before the last step ${status.step}`);
    // Through the real CLI process, as a user would (WebAssembly kernels, as in training).
    const r = await runCli(['eval', runDir, validation, '--json'], tmp.dir);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    close(report.loss, status.bestValLoss!, 'eval loss of model.onnx vs bestValLoss', 1e-6);
    const human = await runCli(['eval', runDir, validation], tmp.dir);
    assert.match(human.stdout, new RegExp(`^early-valid\\.txt \\(model from step ${status.bestStep}\\): [\\d,]+ tokens, loss ${report.loss.toFixed(4)} nats/token, perplexity [\\d.]+, [\\d.]+ bits/token\\n$`));
  });
});

describe('cli: eval of a seq2seq model (issue 13\'s scorer)', function () {
  this.timeout(120_000);

  it('scores its validation file with the validation loss training logged: {"task","loss","exactMatch","bleu"}', async () => {
    const lines = fs.readFileSync(path.join(REPO, 'samples', 'dates.tsv'), 'utf8').split('\n');
    const train = tmp.file('dates-train.tsv', lines.slice(0, 300).join('\n') + '\n');
    const validation = tmp.file('dates-valid.tsv', lines.slice(300, 340).join('\n') + '\n');
    tmp.file('dates.rnnconfig', config({
      task: 'seq2seq', data: { train, validation, tokenizer: 'char' }, model: { cell: 'gru', hidden: 16, embedding: 8, attention: 'additive' },
      training: { steps: 10, batchSize: 16, learningRate: 0.01, evalEvery: 5 },
    }));
    const runDir = path.join(tmp.dir, 'dates-run');
    const trained = await runCli(['train', 'dates.rnnconfig', '--out', runDir], tmp.dir);
    assert.equal(trained.code, 0, trained.stderr);
    const report = await evalJson([runDir, validation]);
    assert.deepEqual(Object.keys(report), ['task', 'loss', 'exactMatch', 'bleu']);
    close(report.loss, readRunStatus(runDir)!.bestValLoss!, 'eval loss vs bestValLoss', 1e-6);
    assert.ok(report.exactMatch >= 0 && report.exactMatch <= 1 && report.bleu >= 0 && report.bleu <= 1, JSON.stringify(report));
  });
});

describe('cli: eval on bad files', function () {
  this.timeout(60_000);
  const tag = torchCases.find((c) => c.task === 'tag')!;
  const classify = torchCases.find((c) => c.task === 'classify')!;

  const cases: [string, () => TorchCase, string, RegExp][] = [
    ['an unknown label', () => tag, 'w1\tB\nw2\tX\n', /^rnn-lab eval: bad\.tsv:2: unknown label "X"; the model knows "B", "I", "O"$/],
    ['a line without a TAB (tag)', () => tag, 'w1\tB\n\nw2 O\n', /^rnn-lab eval: bad\.tsv:3: expected "token<TAB>label", got no TAB$/],
    ['a line without a TAB (classify)', () => classify, 'food\tbread\nsport goal\n', /^rnn-lab eval: bad\.tsv:2: expected "label<TAB>text", got no TAB$/],
    ['only blank lines', () => tag, '\n\n', /^rnn-lab eval: bad\.tsv: the file holds only white space; expected UTF-8 text$/],
  ];
  for (const [name, which, text, message] of cases) {
    it(`${name}: exit 2 and the file and line`, async () => {
      const { model } = withMetadata(which());
      const bad = tmp.file('bad.tsv', text);
      const r = await runCliInProcess(['eval', model, bad, '--json'], tmp.dir);
      assert.equal(r.code, 2);
      assert.equal(r.stdout, '');
      assert.match(r.stderr.trim(), message);
    });
  }
});
