// End to end through the CLI: train each task from a file, then label / predict / sample / export
// the result, as DESIGN.md §2 fixes the commands and their JSON.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Rng } from '../../../src/engine/rng';
import { REPO, config, jsonLines, runCli, tempDir } from './cliHarness';
import { nameSentence, taggedFile, topicLines } from './generators';

const tmp = tempDir('rnnlab-cli-');
after(() => tmp.cleanup());

/** Entropy (nats) of the unigram distribution of items. */
function unigramEntropy(items: string[]): number {
  const counts = new Map<string, number>();
  for (const x of items) counts.set(x, (counts.get(x) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) h -= (n / items.length) * Math.log(n / items.length);
  return h;
}

async function trainJson(args: string[]) {
  const r = await runCli(['train', ...args, '--json'], tmp.dir);
  assert.equal(r.code, 0, r.stderr);
  const messages = jsonLines(r.stdout);
  const done = messages.find((m) => m.type === 'done');
  assert.ok(done, `no done message in ${r.stdout.slice(-500)}`);
  return { messages, done };
}

const lastMetrics = (runDir: string) => jsonLines(fs.readFileSync(path.join(runDir, 'metrics.jsonl'), 'utf8')).filter((m) => m.valLoss !== undefined).pop();

describe('cli: char language model on samples/corpus.txt', function () {
  this.timeout(120_000);
  const corpus = path.join(REPO, 'samples', 'corpus.txt');
  const runDir = path.join(tmp.dir, 'char-lm');

  before(async () => {
    tmp.file('char.rnnconfig', config({
      task: 'lm', data: { train: corpus, tokenizer: 'char', validation: 0.1 },
      model: { cell: 'lstm', hidden: 96, embedding: 24 },
      training: { steps: 150, batchSize: 16, sequenceLength: 32, learningRate: 0.01, evalEvery: 50, sampleEvery: 150 },
    }));
    await trainJson([corpus, '--config', 'char.rnnconfig', '--out', runDir]);
  });

  it('reaches a validation loss well below the unigram entropy of the text', () => {
    const h = unigramEntropy([...fs.readFileSync(corpus, 'utf8')]);
    const { valLoss } = lastMetrics(runDir);
    assert.ok(valLoss < 0.8 * h, `validation loss ${valLoss.toFixed(3)} nats vs unigram entropy ${h.toFixed(3)} nats`);
  });

  it('writes the run folder DESIGN.md describes', () => {
    for (const f of ['config.rnnconfig', 'metrics.jsonl', 'checkpoint.bin', 'samples.jsonl', 'run.json']) assert.ok(fs.existsSync(path.join(runDir, f)), f);
    const first = jsonLines(fs.readFileSync(path.join(runDir, 'metrics.jsonl'), 'utf8'))[0];
    assert.deepEqual(Object.keys(first).sort(), ['clipped', 'epoch', 'gradNorm', 'loss', 'lr', 'step', 'time', 'tokensPerSec']);
    for (const line of jsonLines(fs.readFileSync(path.join(runDir, 'metrics.jsonl'), 'utf8'))) {
      assert.equal(typeof line.clipped, 'boolean');
      if (line.valLoss !== undefined) assert.equal(line.valPerplexity, Math.exp(line.valLoss));
      else assert.equal(line.valPerplexity, undefined);
      assert.equal(line.valAccuracy, undefined);
    }
    assert.equal(JSON.parse(fs.readFileSync(path.join(runDir, 'run.json'), 'utf8')).status, 'finished');
  });

  it('samples text that looks like the corpus (mostly words it contains)', async () => {
    const r = await runCli(['sample', runDir, '--length', '300', '--temperature', '0.5', '--seed', '1'], tmp.dir);
    assert.equal(r.code, 0, r.stderr);
    const known = new Set(fs.readFileSync(corpus, 'utf8').toLowerCase().match(/\p{L}+/gu));
    const sampled = r.stdout.toLowerCase().match(/\p{L}+/gu) ?? [];
    const share = sampled.filter((w) => known.has(w)).length / sampled.length;
    assert.ok(sampled.length > 20 && share > 0.5, `${(share * 100).toFixed(0)}% of ${sampled.length} sampled words are in the corpus: ${r.stdout.slice(0, 200)}`);
  });

  it('labels a file with per-token surprisal and exact UTF-16 ranges', async () => {
    const text = 'The 😀 cat\r\nsat.';
    const file = tmp.file('lm-input.txt', text);
    const r = await runCli(['label', runDir, file, '--json'], tmp.dir);
    assert.equal(r.code, 0, r.stderr);
    const tokens = jsonLines(r.stdout);
    assert.deepEqual(tokens.map((t) => t.token), ['T', 'h', 'e', ' ', '😀', ' ', 'c', 'a', 't', '\r\n', 's', 'a', 't', '.']);
    for (const t of tokens) {
      assert.equal(text.slice(t.start, t.end), t.token);
      assert.ok(t.surprisal > 0 && Number.isFinite(t.surprisal));
    }
  });

  it('predicts one row of logits per input step, by ids or text, engine and onnxruntime alike', async () => {
    const byText = await runCli(['predict', runDir, '--text', 'the', '--json'], tmp.dir);
    assert.equal(byText.code, 0, byText.stderr);
    const p = JSON.parse(byText.stdout);
    assert.deepEqual(p.tokens, ['t', 'h', 'e']);
    assert.equal(p.logits.length, 3);
    const onnx = path.join(tmp.dir, 'char.onnx');
    assert.equal((await runCli(['export', runDir, onnx], tmp.dir)).code, 0);
    const ids = (await runCli(['predict', onnx, '--ids', '5,6,7', '--backend', 'ort', '--json'], tmp.dir));
    const engine = (await runCli(['predict', runDir, '--ids', '5,6,7', '--json'], tmp.dir));
    assert.equal(ids.code, 0, ids.stderr);
    const a = JSON.parse(ids.stdout).logits.flat(), b = JSON.parse(engine.stdout).logits.flat();
    assert.equal(a.length, b.length);
    assert.ok(a.every((x: number, i: number) => Math.abs(x - b[i]) < 1e-3), 'ort and engine logits differ');
  });
});

describe('cli: word language model', function () {
  this.timeout(120_000);
  it('learns below the unigram entropy of the words', async () => {
    const corpus = path.join(REPO, 'samples', 'corpus.txt');
    const runDir = path.join(tmp.dir, 'word-lm');
    tmp.file('word.rnnconfig', config({
      task: 'lm', data: { train: corpus, tokenizer: 'word', lowercase: true, minCount: 2 },
      model: { cell: 'gru', hidden: 64, embedding: 32 },
      training: { steps: 100, batchSize: 8, sequenceLength: 24, learningRate: 0.01, evalEvery: 50, sampleEvery: 100 },
    }));
    await trainJson([corpus, '--config', 'word.rnnconfig', '--out', runDir]);
    const words = fs.readFileSync(corpus, 'utf8').toLowerCase().match(/[\p{L}\p{M}\p{N}_]+(?:['’][\p{L}\p{M}\p{N}_]+)*|[^\s]/gu)!;
    const { valLoss } = lastMetrics(runDir);
    assert.ok(valLoss < unigramEntropy(words), `validation loss ${valLoss} vs unigram entropy ${unigramEntropy(words)}`);
    const sample = await runCli(['sample', runDir, '--length', '20', '--seed', '2'], tmp.dir);
    assert.equal(sample.code, 0, sample.stderr);
    assert.ok(sample.stdout.split(/\s+/).length >= 10);
  });
});

describe('cli: tagger on the notes\' name-tagging task', function () {
  this.timeout(120_000);
  it('tags held-out generated sentences with > 95% token accuracy', async () => {
    const rng = new Rng(11);
    const trainFile = tmp.file('names-train.tsv', taggedFile(Array.from({ length: 300 }, () => nameSentence(rng))));
    const heldOut = Array.from({ length: 60 }, () => nameSentence(rng));
    const runDir = path.join(tmp.dir, 'tagger');
    tmp.file('tag.rnnconfig', config({
      data: { train: trainFile, tokenizer: 'word', validation: 0.1 },
      model: { cell: 'lstm', hidden: 32, embedding: 16, bidirectional: true },
      training: { steps: 80, batchSize: 16, learningRate: 0.02, evalEvery: 40 },
    }));
    const { messages } = await trainJson([trainFile, '--config', 'tag.rnnconfig', '--out', runDir]);
    assert.equal(messages.find((m) => m.type === 'started').task, 'tag'); // detected

    const text = heldOut.map((s) => s.map(([w]) => w).join(' ')).join('\n') + '\n';
    const r = await runCli(['label', runDir, tmp.file('held-out.txt', text), '--json'], tmp.dir);
    assert.equal(r.code, 0, r.stderr);
    const predicted = jsonLines(r.stdout);
    const expected = heldOut.flat();
    assert.equal(predicted.length, expected.length);
    const right = predicted.filter((p, i) => p.token === expected[i][0] && p.label === String(expected[i][1])).length;
    assert.ok(right / expected.length > 0.95, `token accuracy ${(right / expected.length).toFixed(3)}`);
    assert.deepEqual(Object.keys(predicted[0]), ['token', 'start', 'end', 'label', 'p']);
    const evaluations = jsonLines(fs.readFileSync(path.join(runDir, 'metrics.jsonl'), 'utf8')).filter((m) => m.valLoss !== undefined);
    assert.ok(evaluations.length >= 2 && evaluations.every((m) => m.valAccuracy >= 0 && m.valAccuracy <= 1 && m.valPerplexity === undefined));
  });
});

describe('cli: classifier on a synthetic two-topic task', function () {
  this.timeout(120_000);
  it('classifies held-out lines, one object per line', async () => {
    const rng = new Rng(5);
    const trainFile = tmp.file('topics-train.tsv', topicLines(rng, 300).join('\n') + '\n');
    const held = topicLines(rng, 40);
    const runDir = path.join(tmp.dir, 'classifier');
    await trainJson([trainFile, '--out', runDir, '--steps', '60', '--config', tmp.file('cls.rnnconfig', config({
      task: 'classify', data: { tokenizer: 'word' }, model: { cell: 'gru', hidden: 24, embedding: 16 },
      training: { batchSize: 16, learningRate: 0.02, evalEvery: 30 },
    }))]);
    const r = await runCli(['label', runDir, tmp.file('topics-held.txt', held.map((l) => l.split('\t')[1]).join('\n')), '--json'], tmp.dir);
    assert.equal(r.code, 0, r.stderr);
    const lines = jsonLines(r.stdout);
    assert.deepEqual(lines.map((l) => l.line), held.map((_, i) => i + 1));
    const right = lines.filter((l, i) => l.label === held[i].split('\t')[0]).length;
    assert.ok(right / held.length >= 0.9, `accuracy ${right}/${held.length}`);
    const p = JSON.parse((await runCli(['predict', runDir, '--text', 'the goal of the match', '--json'], tmp.dir)).stdout);
    assert.equal(p.logits.length, 1); // one row in all for a classifier
    assert.equal(p.logits[0].length, 2);
  });
});
