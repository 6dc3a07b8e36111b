// The embed task through the CLI, as a user runs it: a run folder with metrics, probe neighbours and
// vectors.txt; resume continues exactly; the queries agree on the run and its vectors.txt; every
// model with an embedding can be explored; bad input is exit 2 with a clear message.

import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readJsonLines } from '../../../src/pipeline/atomicFile';
import { startTraining } from '../../../src/pipeline/training/trainingClient';
import { readVectorsFile } from '../../../src/pipeline/vectorsFile';
import { config, jsonLines, REPO, runCliInProcess, tempDir } from '../cli/cliHarness';

const tmp = tempDir('rnnlab-embed-');
after(() => tmp.cleanup());

const capitals = (sentences: number) =>
  execFileSync(process.execPath, [path.join(REPO, 'scripts', 'corpora', 'capitals.mjs'), '--sentences', String(sentences)], { encoding: 'utf8' });

const embedConfig = (over: Record<string, unknown> = {}) => ({
  task: 'embed', data: { minCount: 3 }, model: { embedding: 16 },
  training: { steps: 60, batchSize: 512, evalEvery: 20, checkpointEvery: 25, probeWords: ['paris', 'water'], ...over },
});

describe('embed: training a word2vec run', function () {
  this.timeout(120_000);
  let runDir: string;
  let train: { code: number; stdout: string; stderr: string };

  before(async () => {
    tmp.file('capitals.txt', capitals(1500));
    tmp.file('embed.rnnconfig', config(embedConfig()));
    runDir = path.join(tmp.dir, 'run');
    train = await runCliInProcess(['train', 'capitals.txt', '--config', 'embed.rnnconfig', '--out', runDir, '--json'], tmp.dir);
  });

  it('finishes, with metrics, probe neighbours and vectors.txt in the run folder', () => {
    assert.equal(train.code, 0, train.stderr);
    const messages = jsonLines(train.stdout);
    assert.deepEqual(messages[0], { type: 'started', runDir, totalSteps: 60, task: 'embed', paramCount: 2 * 77 * 16 });
    assert.match(messages.find((m) => m.type === 'note').message, /^capitals\.txt: 13,500 words, a vocabulary of 74 \(data\.minCount 3\), 60 steps of 512 pairs$/);
    assert.equal(messages[messages.length - 1].type, 'done');
    const metrics = readJsonLines<{ step: number; loss: number; lr: number; tokensPerSec: number }>(path.join(runDir, 'metrics.jsonl'));
    assert.equal(metrics[metrics.length - 1].step, 60);
    assert.ok(metrics[metrics.length - 1].loss < metrics[0].loss * 0.8, `loss ${metrics[0].loss} → ${metrics[metrics.length - 1].loss}`);
    assert.deepEqual([metrics[0].step, metrics[0].lr], [1, 0.025], 'the first step uses lr₀');
    assert.ok(Math.abs(metrics[metrics.length - 1].lr - 0.025 / 60) < 1e-9, `the last ${metrics[metrics.length - 1].lr}: linear to lr₀·(1 − 59/60)`);
    const reports = readJsonLines<{ step: number; probes: { word: string; neighbors: { word: string }[] }[] }>(path.join(runDir, 'neighbors.jsonl'));
    assert.deepEqual(reports.map((r) => r.step), [20, 40, 60]);
    assert.deepEqual(reports[2].probes.map((p) => p.word), ['paris', 'water']);
    assert.equal(reports[2].probes[0].neighbors.length, 8);
    const vectors = readVectorsFile(path.join(runDir, 'vectors.txt'));
    assert.equal(vectors.E, 16);
    assert.equal(vectors.words.length, 74, 'every word, no special token');
    assert.ok(!vectors.words.some((w) => w.startsWith('<')));
  });

  it('learns the clusters: the nearest words of a cluster word are its cluster', async () => {
    const r = await runCliInProcess(['neighbors', runDir, 'pasta', '--k', '5', '--json'], tmp.dir);
    assert.equal(r.code, 0, r.stderr);
    const italian = ['ciao', 'gondola', 'espresso', 'pizza', 'grazie'];
    const found = jsonLines(r.stdout)[0].neighbors.map((n: { word: string }) => n.word);
    assert.ok(found.filter((w: string) => italian.includes(w)).length >= 4, `neighbours of pasta: ${found}`);
  });

  it('the run folder, its vectors.txt and an exported file answer the same', async () => {
    const exported = path.join(tmp.dir, 'exported.txt');
    assert.equal((await runCliInProcess(['export-vectors', runDir, exported], tmp.dir)).code, 0);
    assert.deepEqual(fs.readFileSync(exported), fs.readFileSync(path.join(runDir, 'vectors.txt')));
    const answers = [];
    for (const source of [runDir, exported]) {
      const n = await runCliInProcess(['neighbors', source, 'berlin', '--json'], tmp.dir);
      const a = await runCliInProcess(['analogy', source, 'paris', 'rome', 'seine', '--json'], tmp.dir);
      answers.push([jsonLines(n.stdout)[0], jsonLines(a.stdout)[0]]);
    }
    assert.deepEqual(answers[1], answers[0]);
  });

  it('stopped and resumed, it continues exactly (same losses, same vectors)', async () => {
    const cut = path.join(tmp.dir, 'cut');
    // The same run, stopped once its first checkpoint (step 25) is written, then resumed to the end.
    const handle = startTraining({ configPath: path.join(tmp.dir, 'embed.rnnconfig'), dataPath: path.join(tmp.dir, 'capitals.txt'), runDir: cut, resume: false });
    handle.onMessage((m) => { if (m.type === 'checkpoint') handle.stop(); });
    const stopped = await handle.outcome;
    assert.equal(stopped.type, 'done');
    const at = stopped.type === 'done' ? stopped.step : 0;
    assert.ok(at >= 25 && at < 60, `stopped at ${at}`);
    const resumed = await runCliInProcess(['train', cut, '--resume'], tmp.dir);
    assert.equal(resumed.code, 0, resumed.stderr);
    const loss = (dir: string) => readJsonLines<{ step: number; loss: number }>(path.join(dir, 'metrics.jsonl')).filter((l) => l.step > at).map((l) => [l.step, l.loss]);
    assert.equal(loss(cut).length, 60 - at);
    assert.deepEqual(loss(cut), loss(runDir));
    assert.deepEqual(fs.readFileSync(path.join(cut, 'vectors.txt')), fs.readFileSync(path.join(runDir, 'vectors.txt')));
  });

  it('CBOW trains too', async () => {
    tmp.file('cbow.rnnconfig', config({ ...embedConfig(), model: { embedding: 16, method: 'cbow' } }));
    const r = await runCliInProcess(['train', 'capitals.txt', '--config', 'cbow.rnnconfig', '--out', path.join(tmp.dir, 'cbow')], tmp.dir);
    assert.equal(r.code, 0, r.stderr);
    const metrics = readJsonLines<{ loss: number }>(path.join(tmp.dir, 'cbow', 'metrics.jsonl'));
    assert.ok(metrics[metrics.length - 1].loss < metrics[0].loss);
  });

  it('epochs: the steps are that many passes of pairs over batchSize', async () => {
    tmp.file('epochs.rnnconfig', config(embedConfig({ steps: 2000, epochs: 2, batchSize: 1000 })));
    const r = await runCliInProcess(['train', 'capitals.txt', '--config', 'epochs.rnnconfig', '--out', path.join(tmp.dir, 'epochs'), '--json'], tmp.dir);
    assert.equal(r.code, 0, r.stderr);
    const started = jsonLines(r.stdout)[0];
    const epochs = readJsonLines<{ epoch: number }>(path.join(tmp.dir, 'epochs', 'metrics.jsonl'));
    assert.ok(started.totalSteps > 5 && started.totalSteps < 2000, `${started.totalSteps} steps`);
    assert.ok(epochs[epochs.length - 1].epoch >= 1 && epochs[epochs.length - 1].epoch <= 2, `ended in epoch ${epochs[epochs.length - 1].epoch}`);
  });
});

describe('embed: every model with an embedding can be explored', function () {
  this.timeout(120_000);

  const models: [string, Record<string, unknown>, string, string][] = [
    ['a word language model', { task: 'lm', data: { tokenizer: 'word' }, model: { cell: 'gru', hidden: 8, embedding: 6 } }, 'capitals.txt', 'paris'],
    ['a character language model', { task: 'lm', model: { cell: 'gru', hidden: 8, embedding: 5 } }, 'capitals.txt', 'a'],
    ['a classifier', { task: 'classify', data: { tokenizer: 'word' }, model: { cell: 'gru', hidden: 8, embedding: 4 } }, 'topics.tsv', 'bread'],
  ];
  before(() => {
    tmp.file('capitals.txt', capitals(300));
    tmp.file('topics.tsv', Array.from({ length: 40 }, (_, i) => (i % 2 ? 'food\tfresh bread and soup' : 'sport\tthe team won the match')).join('\n') + '\n');
  });
  for (const [name, cfg, data, word] of models) {
    it(`${name}: neighbors, analogy and export-vectors read its embedding, without special tokens`, async () => {
      const stem = name.replace(/\W+/g, '-');
      tmp.file(`${stem}.rnnconfig`, config({ ...cfg, training: { steps: 3, batchSize: 4, sequenceLength: 8, evalEvery: 3 } }));
      const run = path.join(tmp.dir, stem);
      const t = await runCliInProcess(['train', data, '--config', `${stem}.rnnconfig`, '--out', run], tmp.dir);
      assert.equal(t.code, 0, t.stderr);
      const n = await runCliInProcess(['neighbors', run, word, '--k', '3', '--json'], tmp.dir);
      assert.equal(n.code, 0, n.stderr);
      const out = jsonLines(n.stdout)[0];
      assert.equal(out.neighbors.length, 3);
      assert.ok(out.neighbors.every((x: { word: string; cosine: number }) => !['<pad>', '<unk>', '<eos>'].includes(x.word) && Math.abs(x.cosine) <= 1 + 1e-6));
      assert.equal((await runCliInProcess(['export-vectors', run, `${stem}.txt`], tmp.dir)).code, 0);
      const model = await runCliInProcess(['neighbors', `${run}/model.onnx`, word, '--k', '3', '--json'], tmp.dir);
      assert.deepEqual(jsonLines(model.stdout)[0], out, 'the .onnx model gives the same answers');
    });
  }

  it('a seq2seq model: the source side by default, the target side with --side target, each with its own vocabulary', async () => {
    const pairs = fs.readFileSync(path.join(REPO, 'samples', 'dates.tsv'), 'utf8').split('\n').slice(0, 200).join('\n') + '\n';
    tmp.file('dates.tsv', pairs);
    tmp.file('s2s.rnnconfig', config({ task: 'seq2seq', data: { tokenizer: 'char' }, model: { cell: 'gru', hidden: 8, embedding: 6, attention: 'dot' }, training: { steps: 3, batchSize: 8, evalEvery: 3 } }));
    const run = path.join(tmp.dir, 's2s');
    const t = await runCliInProcess(['train', 'dates.tsv', '--config', 's2s.rnnconfig', '--out', run], tmp.dir);
    assert.equal(t.code, 0, t.stderr);
    const sides = [];
    for (const side of ['source', 'target']) {
      const r = await runCliInProcess(['export-vectors', run, `s2s-${side}.txt`, '--side', side], tmp.dir);
      assert.equal(r.code, 0, r.stderr);
      sides.push(fs.readFileSync(path.join(tmp.dir, `s2s-${side}.txt`), 'utf8').split('\n').filter(Boolean).map((l) => l.split(' ')[0]));
    }
    const targetChars = new Set(pairs.split('\n').flatMap((l) => [...(l.split('\t')[1] ?? '')]));
    assert.deepEqual(new Set(sides[1]), new Set([...targetChars].filter((c) => !/\s/.test(c))), 'the target vocabulary');
    assert.ok(sides[0].length > sides[1].length, 'the source side has more characters (month names) than the target side');
  });

  it('a one-hot model has nothing to explore: said so, exit 2', async () => {
    tmp.file('onehot.rnnconfig', config({ task: 'lm', model: { cell: 'rnn', hidden: 4, embedding: 0 }, training: { steps: 2, batchSize: 2, sequenceLength: 8, evalEvery: 2 } }));
    const run = path.join(tmp.dir, 'onehot');
    assert.equal((await runCliInProcess(['train', 'capitals.txt', '--config', 'onehot.rnnconfig', '--out', run], tmp.dir)).code, 0);
    const r = await runCliInProcess(['neighbors', run, 'a'], tmp.dir);
    assert.equal(r.code, 2);
    assert.match(r.stderr.trim(), /onehot: has no embedding to explore: its model reads one-hot vectors \(model\.embedding is 0\)/);
  });
});

describe('embed: bad input → exit 2 and a clear message', function () {
  this.timeout(60_000);
  before(() => {
    tmp.file('text.txt', 'the cat sat on the mat\nthe dog sat on the log\n'.repeat(10));
    tmp.file('single.txt', 'one\ntwo\none\ntwo\n'.repeat(5));
  });
  const cases: [string, Record<string, unknown>, string, RegExp][] = [
    ['the char tokenizer', { task: 'embed', data: { tokenizer: 'char' } }, 'text.txt', /c\.rnnconfig:\d+: \/data\/tokenizer must be equal to constant, got "char" \(embed learns word vectors: data\.tokenizer must be "word" \(or left out\)\.\)$/],
    ['an empty corpus', { task: 'embed' }, 'empty.txt', /empty\.txt: the file is empty; expected UTF-8 text$/],
    ['no word frequent enough', { task: 'embed', data: { minCount: 100 } }, 'text.txt', /text\.txt: no word occurs 100 times or more \(data\.minCount\); lower data\.minCount or train on a longer text$/],
    ['one word a line', { task: 'embed', data: { minCount: 1 } }, 'single.txt', /single\.txt: has no line with two words word2vec keeps/],
    ['embedding 0', { task: 'embed', model: { embedding: 0 } }, 'text.txt', /c\.rnnconfig: \/model\/embedding is 0; embed learns word vectors of that width/],
    ['an unknown probe word', { task: 'embed', data: { minCount: 1 }, training: { probeWords: ['unicorn'] } }, 'text.txt', /c\.rnnconfig: \/training\/probeWords: "unicorn" is not in the vocabulary/],
    ['a recurrent field', { task: 'embed', model: { hidden: 32 } }, 'text.txt', /\/model\/hidden must be equal to constant, got 32 \(model\.hidden applies to recurrent models, not to embed \(word2vec\)\.\)$/],
    ['an embed field in an lm', { task: 'lm', training: { window: 3 } }, 'text.txt', /\/training\/window must be equal to constant, got 3 \(training\.window applies only to the embed task\.\)$/],
  ];
  for (const [name, cfg, data, message] of cases) {
    it(name, async () => {
      if (data === 'empty.txt') tmp.file('empty.txt', '');
      tmp.file('c.rnnconfig', config(cfg));
      const out = path.join(tmp.dir, 'no-run');
      const r = await runCliInProcess(['train', data, '--config', 'c.rnnconfig', '--out', out], tmp.dir);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr.trim(), message);
      assert.ok(!fs.existsSync(out), 'no run folder is left behind');
    });
  }
});

describe('data.vectors (pretrained vectors for a recurrent model)', function () {
  this.timeout(60_000);
  before(() => {
    tmp.file('words.txt', 'the cat sat on the mat\nthe dog sat on the log\n'.repeat(10));
    tmp.file('glove.txt', 'the 0.1 0.2 0.3\ncat 0.4 0.5 0.6\nzebra 1 1 1\n');
  });

  it('says how many vocabulary words it found', async () => {
    tmp.file('v.rnnconfig', config({ task: 'lm', data: { tokenizer: 'word', vectors: 'glove.txt' }, model: { cell: 'gru', hidden: 4, embedding: 3 }, training: { steps: 2, batchSize: 2, sequenceLength: 4, evalEvery: 2 } }));
    const r = await runCliInProcess(['train', 'words.txt', '--config', 'v.rnnconfig', '--out', path.join(tmp.dir, 'v-run'), '--json'], tmp.dir);
    assert.equal(r.code, 0, r.stderr);
    const note = jsonLines(r.stdout).find((m) => m.type === 'note');
    assert.equal(note?.message, 'glove.txt: 2 of 7 vocabulary words (29%) start from their vector; the others start random');
  });

  it('with model.embedding 0: a clear message, not an internal error', async () => {
    tmp.file('v0.rnnconfig', config({ task: 'lm', data: { tokenizer: 'word', vectors: 'glove.txt' }, model: { cell: 'gru', hidden: 4, embedding: 0 }, training: { steps: 2 } }));
    const r = await runCliInProcess(['train', 'words.txt', '--config', 'v0.rnnconfig', '--out', path.join(tmp.dir, 'v0-run')], tmp.dir);
    assert.equal(r.code, 2);
    assert.equal(r.stderr.trim(), 'rnn-lab train: v0.rnnconfig: /data/vectors needs a trainable embedding, but /model/embedding is 0 (one-hot input): set model.embedding to the vectors\' width');
  });
});
