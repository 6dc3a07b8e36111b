// The vscode-free helpers of the training feature: the config that fits a data file, writing a preset beside a file,
// metrics.jsonl → chart points, command arguments naming a run.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as jsonc from 'jsonc-parser';
import { chooseConfig, taskFits } from '../../../src/host/training/findConfig';
import type { Task } from '../../../src/pipeline/formats';
import { pointFromProgress, pointsFromMetrics } from '../../../src/host/training/metricPoints';
import { listPresets, writePresetBeside } from '../../../src/host/training/presets';
import { runDirOf } from '../../../src/host/training/runArgument';
import { throttle } from '../../../src/host/training/throttle';
import type { MetricsLine } from '../../../src/pipeline/runStore';

const roots: string[] = [];
after(() => { for (const r of roots) fs.rmSync(r, { recursive: true, force: true }); });

/** A temp tree from { 'a/b.txt': 'text' }; returns its root (removed after the suite). */
function tree(files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'rnnlab-host-'));
  roots.push(root);
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  }
  return root;
}

describe('training host: chooseConfig (the nearest config that fits the data)', () => {
  const lm = '{ "task": "lm", "data": { "train": "corpus.txt" } }';
  const tag = '{ "task": "tag" }';
  const names = '{ "task": "tag", "data": { "train": "d/names.tsv" } }';
  // files: path → content ({} = "auto", fits any data); detected: the data file's format.
  const cases: { name: string; files: Record<string, string>; file: string; detected: Task; root?: string; configs: string[]; fit?: string; unfit?: string[] }[] = [
    { name: 'the file\'s own <stem>.rnnconfig first, whatever else is there', files: { 'd/a.rnnconfig': tag, 'd/names.rnnconfig': lm }, file: 'd/names.tsv', detected: 'tag', configs: ['d/names.rnnconfig'], fit: 'own' },
    { name: 'then a config whose data.train is the file, even in a parent folder', files: { 'd/near.rnnconfig': tag, 'top.rnnconfig': names }, file: 'd/names.tsv', detected: 'tag', configs: ['top.rnnconfig'], fit: 'trains-this-file' },
    { name: 'an lm config for corpus.txt does not train names.tsv (tag data): none fits', files: { 'corpus.rnnconfig': lm }, file: 'names.tsv', detected: 'tag', configs: [], unfit: ['corpus.rnnconfig'] },
    { name: 'a config of the fitting task is used for another file', files: { 'corpus.rnnconfig': lm, 'tagger.rnnconfig': tag }, file: 'names.tsv', detected: 'tag', configs: ['tagger.rnnconfig'], fit: 'fits-task' },
    { name: 'several fitting in the nearest folder: all, to pick from', files: { 'd/a.rnnconfig': tag, 'd/b.rnnconfig': '{}', 'd/c.rnnconfig': lm }, file: 'd/names.tsv', detected: 'tag', configs: ['d/a.rnnconfig', 'd/b.rnnconfig'], fit: 'fits-task' },
    { name: 'a parent\'s fitting config when the nearest folder has none that fits', files: { 'd/corpus.rnnconfig': lm, 'tagger.rnnconfig': tag }, file: 'd/names.tsv', detected: 'tag', configs: ['tagger.rnnconfig'], fit: 'fits-task', unfit: ['d/corpus.rnnconfig'] },
    { name: 'the nearest folder wins over parents', files: { 'top.rnnconfig': lm, 'd/near.rnnconfig': lm }, file: 'd/e/corpus.txt', detected: 'lm', configs: ['d/near.rnnconfig'], fit: 'fits-task' },
    { name: 'word vectors (embed) train on any text', files: { 'w2v.rnnconfig': '{ "task": "embed" }' }, file: 'corpus.txt', detected: 'lm', configs: ['w2v.rnnconfig'], fit: 'fits-task' },
    { name: 'nothing above the root', files: { 'top.rnnconfig': lm }, file: 'w/d/corpus.txt', detected: 'lm', root: 'w', configs: [] },
    { name: 'none at all', files: {}, file: 'd/corpus.txt', detected: 'lm', configs: [] },
    { name: 'a config that does not parse is "auto"', files: { 'd/x.rnnconfig': '{ "task": ' }, file: 'd/names.tsv', detected: 'tag', configs: ['d/x.rnnconfig'], fit: 'fits-task' },
  ];
  const rel = (root: string, f: string) => path.relative(root, f).split(path.sep).join('/');
  for (const c of cases) {
    it(c.name, () => {
      const root = tree({ ...c.files, [c.file]: 'data' });
      const choice = chooseConfig(path.join(root, c.file), path.join(root, c.root ?? ''), c.detected);
      assert.deepEqual(choice.configs.map((f) => rel(root, f)), c.configs);
      assert.equal(choice.fit, c.fit);
      assert.deepEqual(choice.unfit.map((u) => rel(root, u.file)), c.unfit ?? []);
    });
  }
  it('taskFits: the same task, "auto", or embed on text', () => {
    assert.deepEqual([taskFits('tag', 'tag'), taskFits(undefined, 'classify'), taskFits('embed', 'lm'), taskFits('lm', 'tag'), taskFits('embed', 'tag')],
      [true, true, true, false, false]);
  });
});

describe('training host: presets', () => {
  const preset = '// Character LSTM language model: learns to spell.\n{\n  "task": "lm",\n  "data": {\n    "train": "",   // the file\n    "tokenizer": "char"\n  }\n}\n';
  it('lists presets with their first comment line', () => {
    const root = tree({ 'presets/char-lstm-lm.rnnconfig': preset, 'presets/readme.md': '' });
    assert.deepEqual(listPresets(path.join(root, 'presets')).map((p) => [p.name, p.description]),
      [['char-lstm-lm', 'Character LSTM language model: learns to spell.']]);
  });
  it('writes <stem>.rnnconfig beside the file with data.train set, comments kept, never overwriting', () => {
    const root = tree({ 'presets/p.rnnconfig': preset, 'data/corpus.txt': 'hello', 'data/corpus.rnnconfig': 'mine' });
    const [p] = listPresets(path.join(root, 'presets'));
    const written = writePresetBeside(p, path.join(root, 'data/corpus.txt'));
    assert.equal(path.basename(written), 'corpus-2.rnnconfig');
    assert.equal(fs.readFileSync(path.join(root, 'data/corpus.rnnconfig'), 'utf8'), 'mine');
    const text = fs.readFileSync(written, 'utf8');
    assert.equal(jsonc.parse(text).data.train, 'corpus.txt');
    assert.ok(text.includes('// Character LSTM language model') && text.includes('// the file'), text);
  });
});

describe('training host: pointsFromMetrics, pointFromProgress', () => {
  const line = (step: number, loss: number, gradNorm = 1, valLoss?: number): MetricsLine =>
    ({ step, epoch: 0, loss, valLoss, tokensPerSec: 100, gradNorm, lr: 0.01, time: step });
  const cases: { name: string; lines: MetricsLine[]; clipNorm: number; expected: [number, number, boolean][] }[] = [
    { name: 'one point per line', lines: [line(1, 3), line(2, 2.5)], clipNorm: 5, expected: [[1, 3, false], [2, 2.5, false]] },
    { name: 'clipped where the norm exceeds clipNorm', lines: [line(1, 3, 7), line(2, 2, 4)], clipNorm: 5, expected: [[1, 3, true], [2, 2, false]] },
    { name: 'no clipping when clipNorm is 0', lines: [line(1, 3, 70)], clipNorm: 0, expected: [[1, 3, false]] },
    { name: 'a resume that re-trains steps: later lines win', lines: [line(1, 3), line(2, 2.9), line(3, 2.8), line(2, 2.7), line(3, 2.6)], clipNorm: 5,
      expected: [[1, 3, false], [2, 2.7, false], [3, 2.6, false]] },
  ];
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(pointsFromMetrics(c.lines, c.clipNorm).map((p) => [p.step, p.loss, p.clipped]), c.expected));
  }
  it('a seq2seq run\'s exact match and BLEU at its evaluations, from the file and from live progress', () => {
    const lines: MetricsLine[] = [line(1, 3), { ...line(2, 2, 1, 1.5), valExactMatch: 0.25, valBleu: 0.5 }];
    assert.deepEqual(pointsFromMetrics(lines, 5).map((p) => [p.valExactMatch, p.valBleu]), [[undefined, undefined], [0.25, 0.5]]);
    const live = pointFromProgress({ step: 2, totalSteps: 4, epoch: 0, loss: 2, valLoss: 1.5, tokensPerSec: 1, etaSec: 1, lr: 0.01, layerGradNorms: [],
      clipRate: 0, clipped: false, dLda: [], time: 2, valExactMatch: 0.25, valBleu: 0.5 });
    assert.deepEqual([live.valExactMatch, live.valBleu], [0.25, 0.5]);
  });
});

describe('training host: runDirOf', () => {
  const dir = path.resolve('/tmp/runs/20261126-101500-corpus');
  const cases: [string, unknown, string | undefined][] = [
    ['a path', dir, dir],
    ['a Runs view item', { dir, run: {} }, dir],
    ['a file Uri', { scheme: 'file', fsPath: dir }, dir],
    ['a non-file Uri', { scheme: 'untitled', fsPath: dir }, undefined],
    ['nothing', undefined, undefined],
  ];
  for (const [name, arg, expected] of cases) it(name, () => assert.equal(runDirOf(arg), expected));
});

describe('training host: throttle', () => {
  const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  it('turns a burst into one trailing call, then allows the next after the interval', async () => {
    let calls = 0;
    const t = throttle(() => calls++, 30);
    for (let i = 0; i < 100; i++) t();
    assert.equal(calls, 0, 'trailing: nothing synchronously');
    await wait(60);
    assert.equal(calls, 1, 'one call for the burst');
    t();
    await wait(60);
    assert.equal(calls, 2, 'a later call runs too');
  });
  it('flush runs a pending call now; cancel drops it', async () => {
    let calls = 0;
    const t = throttle(() => calls++, 1000);
    t();
    t.flush();
    assert.equal(calls, 1);
    t();
    t.cancel();
    await wait(20);
    t.flush();
    assert.equal(calls, 1, 'nothing pending after cancel');
  });
});
