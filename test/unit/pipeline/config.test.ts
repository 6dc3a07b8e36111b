// .rnnconfig loading: comments and trailing commas, the schema's defaults, relative paths, and
// errors naming file, line, JSON path and what is allowed.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseConfig } from '../../../src/pipeline/config';
import { packageRoot } from '../../../src/pipeline/packageRoot';

const at = '/work/project/exp.rnnconfig';

describe('pipeline/config', () => {
  it('reads JSON with comments, fills the schema defaults, resolves paths against the config', () => {
    const c = parseConfig('{\n  // a comment\n  "data": { "train": "data/corpus.txt", "validation": "valid.txt", },\n  "model": { "hidden": 32 },\n}', at);
    assert.equal(c.data.train, path.resolve('/work/project/data/corpus.txt'));
    assert.equal(c.data.validation, path.resolve('/work/project/valid.txt'));
    assert.equal(c.task, undefined); // "auto"
    assert.equal(c.model.hidden, 32);
    assert.equal(c.model.cell, 'lstm');
    assert.equal(c.training.learningRate, 0.002);
    assert.equal(c.training.sequenceLength, 64);
    assert.equal(c.sampling.temperature, 1);
  });

  it('takes the data file from the caller (Train on This File)', () => {
    const c = parseConfig('{ "task": "tag" }', at, '/elsewhere/names.tsv');
    assert.equal(c.data.train, path.resolve('/elsewhere/names.tsv'));
    assert.equal(c.task, 'tag');
  });

  /** [case, config text, message] */
  const bad: [string, string, RegExp][] = [
    ['a number out of range', '{ "data": { "train": "a" },\n  "model": {\n    "hidden": 0 } }', /^exp\.rnnconfig:3: \/model\/hidden must be >= 1, got 0$/],
    ['a value not in the enum', '{ "data": { "train": "a",\n "tokenizer": "bpe" } }', /^exp\.rnnconfig:2: \/data\/tokenizer must be one of "char", "word", got "bpe"$/],
    ['an unknown field', '{ "data": { "train": "a" },\n "trainig": {} }', /^exp\.rnnconfig:1: \/ has an unknown field "trainig"$/],
    ['a field that does not apply, with the schema\'s hint', '{ "data": { "train": "a", "tokenizer": "char",\n "minCount": 3 } }',
      /^exp\.rnnconfig:2: \/data\/minCount must be equal to constant, got 3 \(minCount applies only to the word tokenizer \(data\.tokenizer is char\)\.\)$/],
    ['a validation share out of range', '{ "data": { "train": "a",\n  "validation": 0.9 } }', /^exp\.rnnconfig:2: \/data\/validation is not valid, got 0\.9 \(Expected a share between 0 and 0\.5, or a file path relative to this config\.\)$/],
    ['a bidirectional language model', '{ "task": "lm", "data": { "train": "a" },\n "model": { "bidirectional": true } }', /^exp\.rnnconfig:2: \/model\/bidirectional must be equal to constant, got true \(A language model cannot be bidirectional/],
    ['broken JSON', '{\n "data": {\n "train": "a" \n', /^exp\.rnnconfig:4: CloseBraceExpected; expected JSON with comments$/],
    ['not an object', '[1, 2]', /^exp\.rnnconfig: expected a JSON object at the top level$/],
    ['no training file', '{\n "task": "lm" }', /^exp\.rnnconfig:1: \/data\/train is empty; expected the training file/],
  ];
  for (const [name, text, message] of bad) {
    it(`rejects ${name}`, () => assert.throws(() => parseConfig(text, at), (e: Error) => {
      assert.equal(e.name, 'InputError');
      assert.match(e.message, message);
      return true;
    }));
  }

  it('loads every shipped preset (presets/*.rnnconfig) against the data file it is used with', () => {
    const dir = path.join(packageRoot(), 'presets');
    const presets = fs.readdirSync(dir).filter((f) => f.endsWith('.rnnconfig'));
    assert.ok(presets.length > 0);
    for (const f of presets) assert.doesNotThrow(() => parseConfig(fs.readFileSync(path.join(dir, f), 'utf8'), path.join(dir, f), '/data/file.txt'), f);
  });
});
