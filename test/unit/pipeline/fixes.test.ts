// What issue 15 found alongside, one case each: sampleEvery 0 writes no sample; export to a missing
// folder says so (no temp file name); a word-LM prime ending in a space keeps one space; settings
// without effect are said once (a seq2seq model's search settings have effect); label on a labelled file reads its tokens or texts, with the gold labels.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { exportModel, importModel } from '../../../src/onnx';
import type { RnnConfig } from '../../../src/pipeline/config';
import { parseConfig } from '../../../src/pipeline/config';
import { prepareDataset } from '../../../src/pipeline/dataset';
import { labelText, sampleText } from '../../../src/pipeline/inference/textInference';
import { readLabelledText } from '../../../src/pipeline/labelledText';
import { loadModel } from '../../../src/pipeline/loadModel';
import { toOnnxMetadata } from '../../../src/pipeline/modelMeta';
import { settingsWithoutEffect } from '../../../src/pipeline/training/settingsCheck';
import { Tokenizer } from '../../../src/pipeline/tokenizer';
import { config, jsonLines, REPO, runCli, tempDir } from '../cli/cliHarness';

const tmp = tempDir('rnnlab-fixes-');
after(() => tmp.cleanup());

const fixtures = path.join(REPO, 'test', 'fixtures', 'eval');
const torchCases = JSON.parse(fs.readFileSync(path.join(fixtures, 'eval.json'), 'utf8')).cases as { task: 'lm' | 'tag' | 'classify'; vocab: string[]; labels: string[] }[];

/** A fixture model (scripts/fixtures/torch_eval.py) with RNN Lab metadata; `kind` the tokenizer. */
function fixtureModel(task: 'lm' | 'tag' | 'classify', kind: 'char' | 'word') {
  const c = torchCases.find((x) => x.task === task)!;
  const imported = importModel(fs.readFileSync(path.join(fixtures, `${task}.onnx`)), `${task}.onnx`);
  const file = tmp.file(`${task}-${kind}.onnx`, Buffer.from(exportModel(imported.spec, imported.params,
    toOnnxMetadata({ task, tokenizer: { kind, lowercase: false, vocab: c.vocab }, labels: c.labels, config: null }))));
  return loadModel(file);
}

describe('fixes: training', function () {
  this.timeout(60_000);
  const corpus = tmp.file('corpus.txt', 'abc abd abe\n'.repeat(60));

  it('sampleEvery 0 writes no sample, not even a final one', async () => {
    tmp.file('nosample.rnnconfig', config({ task: 'lm', data: { train: corpus, validation: 0.1 }, model: { cell: 'gru', hidden: 8, embedding: 4 }, training: { steps: 5, batchSize: 2, sequenceLength: 8, sampleEvery: 0 } }));
    const runDir = path.join(tmp.dir, 'nosample');
    const r = await runCli(['train', 'nosample.rnnconfig', '--out', runDir, '--json'], tmp.dir);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(jsonLines(r.stdout).filter((m) => m.type === 'sample').length, 0);
    assert.ok(!fs.existsSync(path.join(runDir, 'samples.jsonl')));
  });

  it('says each setting without effect once when the run starts', async () => {
    tmp.file('noeffect.rnnconfig', config({ task: 'lm', data: { train: corpus, validation: 0 }, model: { cell: 'gru', hidden: 8, embedding: 4 }, training: { steps: 4, batchSize: 2, sequenceLength: 8, earlyStoppingPatience: 3, sampleEvery: 0 } }));
    const r = await runCli(['train', 'noeffect.rnnconfig', '--out', path.join(tmp.dir, 'noeffect')], tmp.dir);
    assert.equal(r.code, 0, r.stderr);
    const warnings = r.stderr.split('\n').filter((l) => l.startsWith('warning: '));
    assert.deepEqual(warnings, ['warning: training.earlyStoppingPatience (3) has no effect: data.validation holds out 0 of the text, which leaves no validation data, so the run never stops early']);
  });

  /** [case, config, what is said] */
  const cases: [string, Record<string, any>, string[]][] = [
    ['a run with validation data and defaults', { task: 'lm', data: { validation: 0.2 } }, []],
    ['evalEvery without validation', { task: 'lm', data: { validation: 0 }, training: { evalEvery: 7 } }, ['training.evalEvery (7) has no effect: data.validation holds out 0 of the text, which leaves no validation data']],
    ['lowercase with the char tokenizer', { task: 'lm', data: { validation: 0.2, lowercase: true } }, ['data.lowercase has no effect with the char tokenizer: it always keeps case']],
    ['sampling settings of a tagger', { task: 'tag', data: { validation: 0.3 }, training: { sampleEvery: 10 }, sampling: { temperature: 0.5, length: 20 } },
      ['training.sampleEvery (10) has no effect: only a language model (task lm) samples text', 'sampling.temperature, sampling.length have no effect: only a language model (task lm) samples text']],
    ['the search settings of a seq2seq model (the date preset\'s)', { task: 'seq2seq', data: { validation: 0.3 }, sampling: { beam: 2, lengthPenalty: 1, maxLength: 40 } }, []],
    ['sampling settings of a seq2seq model', { task: 'seq2seq', data: { validation: 0.3 }, sampling: { topK: 5, maxLength: 40 } },
      ['sampling.topK has no effect: only a language model (task lm) samples text']],
  ];
  for (const [name, raw, said] of cases) {
    it(`settings without effect: ${name}`, () => {
      const data = raw.task === 'tag' ? tmp.file('t.tsv', 'a\t0\nb\t1\n\nc\t0\n\nd\t1\ne\t0\n')
        : raw.task === 'seq2seq' ? tmp.file('pairs.tsv', '3 may 1979\t1979-05-03\n4 june 1980\t1980-06-04\n5 july 1981\t1981-07-05\n') : corpus;
      const c: RnnConfig = parseConfig(JSON.stringify({ ...raw, data: { train: data, ...raw.data } }), path.join(tmp.dir, 'x.rnnconfig'));
      assert.deepEqual(settingsWithoutEffect(c, prepareDataset(c, raw.task)), said);
    });
  }
});

describe('fixes: export, sampling, labels', function () {
  this.timeout(60_000);

  it('export to a missing folder names the folder, not a temp file, and writes nothing', async () => {
    const corpus = tmp.file('small.txt', 'abc abd\n'.repeat(30));
    tmp.file('small.rnnconfig', config({ task: 'lm', data: { train: corpus }, model: { cell: 'rnn', hidden: 4, embedding: 2 }, training: { steps: 2, batchSize: 2, sequenceLength: 4, sampleEvery: 0 } }));
    const runDir = path.join(tmp.dir, 'small-run');
    assert.equal((await runCli(['train', 'small.rnnconfig', '--out', runDir], tmp.dir)).code, 0);
    const r = await runCli(['export', runDir, path.join('no', 'such', 'out.onnx')], tmp.dir);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, `rnn-lab export: ${path.join('no', 'such', 'out.onnx')}: the folder ${path.join('no', 'such')} does not exist; create it first or choose another OUT.onnx\n`);
    assert.ok(!fs.existsSync(path.join(tmp.dir, 'no')));
  });

  it('a word-LM prime ending in a space keeps one space', () => {
    const model = fixtureModel('lm', 'word');
    for (const prime of ['a b ', 'a b', 'a b\n']) {
      const text = prime + [...sampleText(model, { prime, length: 12, temperature: 1, topK: 0, topP: 1, seed: 3 })].join('');
      assert.ok(!/ {2}/.test(text), `${JSON.stringify(prime)} → ${JSON.stringify(text)}`);
      assert.ok(text.startsWith(prime) && text.length > prime.length, JSON.stringify(text));
    }
    const words = new Tokenizer({ kind: 'word', lowercase: false, vocab: ['<pad>', '<unk>', '<eos>', 'cat', ','] });
    assert.deepEqual([words.appendDecoded('The ', 3), words.appendDecoded('The', 3), words.appendDecoded('The cat', 4), words.appendDecoded('(', 3)], ['The cat', 'The cat', 'The cat,', '(cat']);
  });

  it('label on a tag file labels its first column, with exact ranges and the gold labels', () => {
    const text = 'w1\tB\r\n w2 \tO\n\n\nw3\tI\n';
    const labels = labelText(fixtureModel('tag', 'word'), text);
    assert.equal(labels.kind, 'tokens');
    assert.deepEqual(labels.items.map((t) => [t.token, text.slice(t.start, t.end), t.gold]), [['w1', 'w1', 'B'], ['w2', 'w2', 'O'], ['w3', 'w3', 'I']]);
    assert.ok(labels.items.every((t) => ['B', 'I', 'O'].includes(t.label!) && t.p! > 0 && t.p! <= 1));
    // The same tokens as one plain sentence give the same labels: a labelled file is its sequences, not its lines.
    const plain = labelText(fixtureModel('tag', 'word'), 'w1 w2\nw3');
    assert.deepEqual(plain.items.map((t) => [t.label, t.p!.toFixed(6)]), labels.items.map((t) => [t.label, t.p!.toFixed(6)]));
    assert.ok(plain.items.every((t) => t.gold === undefined));
  });

  it('label on a classify file classifies the text after the TAB, with the gold label', () => {
    const text = 'food\tbread jam\n\nsport\tgoal team\n';
    const model = fixtureModel('classify', 'word');
    const labels = labelText(model, text);
    assert.equal(labels.kind, 'lines');
    assert.deepEqual(labels.items.map((l) => [l.line, text.slice(l.start, l.end), l.gold]), [[1, 'food\tbread jam', 'food'], [3, 'sport\tgoal team', 'sport']]);
    const doc = readLabelledText(text, 'classify');
    assert.deepEqual(doc?.task === 'classify' && doc.lines.map((l) => text.slice(l.textStart, l.end)), ['bread jam', 'goal team']);
    const plain = labelText(model, 'bread jam\n\ngoal team');
    assert.deepEqual(plain.items.map((l) => l.label), labels.items.map((l) => l.label));
  });

  /** [text, task, labelled?] */
  const reading: [string, 'tag' | 'classify', boolean][] = [
    ['Harry\t1\nPotter\t1\n', 'tag', true],
    ['Harry Potter\n', 'tag', false],
    ['Harry\t1\nPotter\n', 'tag', false],
    ['a\tb\tc\n', 'tag', false],
    ['Harry\tPotter met Hermione\n', 'tag', false],
    ['food\tbread and jam\n', 'classify', true],
    ['two words\tbread\n', 'classify', false],
    ['\n\n', 'classify', false],
  ];
  for (const [text, task, labelled] of reading) {
    it(`readLabelledText(${JSON.stringify(text)}, ${task}) is ${labelled ? 'labelled' : 'plain text'}`, () => {
      assert.equal(readLabelledText(text, task) !== null, labelled);
    });
  }
});
