// The PyTorch project exporter's TypeScript side: the template's values block, Python literals, the
// README's placeholders, and the inputs it refuses. (The exported script itself runs against real
// PyTorch in test/pytorch/.)
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { exportPyTorchProject, fillReadme, fillTrainTemplate, pythonLiteral, templateDir } from '../../../src/pipeline/exportPyTorch';
import { config, tempDir } from '../cli/cliHarness';

const tmp = tempDir('rnnlab-export-pytorch-');
after(() => tmp.cleanup());

describe('export-pytorch: templates and values', () => {
  it('writes JSON values as Python literals', () => {
    const cases: [unknown, string][] = [
      [null, 'None'], [true, 'True'], [false, 'False'], [0.1, '0.1'], [-3, '-3'], ['a"\n\\', '"a\\"\\n\\\\"'],
      [[], '[]'], [{}, '{}'], [[1, 'x', null], '[1, "x", None]'], [{ a: { b: [true] } }, '{\n    "a": {\n        "b": [True],\n    },\n}'],
      ['\u2028😀', '"\u2028😀"'],
    ];
    for (const [value, expected] of cases) assert.equal(pythonLiteral(value, 0), expected, JSON.stringify(value));
    assert.throws(() => pythonLiteral(Infinity, 0), /no JSON form/);
  });

  it('replaces only the values block of train.py', () => {
    const template = fs.readFileSync(path.join(templateDir(), 'train.py'), 'utf8');
    const filled = fillTrainTemplate(template, { config: { task: 'lm', data: { labels: [] } }, start: true, source: '/runs/a' });
    const [before, rest] = template.split('# <rnnlab:values>');
    const after = rest.slice(rest.indexOf('# </rnnlab:values>'));
    assert.ok(filled.startsWith(before) && filled.endsWith(after));
    assert.match(filled, /^CONFIG = \{\n {4}"task": "lm",\n {4}"data": \{\n {8}"labels": \[\],\n {4}\},\n\}$/m);
    assert.match(filled, /^START = 'start'$/m);
    assert.match(filled, /^SOURCE = "\/runs\/a"$/m);
    assert.throws(() => fillTrainTemplate('no block', { config: {}, start: false, source: '' }), /expected one/);
  });

  it('fills every README placeholder and no other', () => {
    assert.equal(fillReadme('a {{x}} b {{y}}', { x: '1', y: '2' }), 'a 1 b 2');
    assert.throws(() => fillReadme('{{x}} {{z}}', { x: '1' }), /no value for \{\{z\}\}/);
    assert.throws(() => fillReadme('{{x}}', { x: '1', y: '2' }), /values y have no placeholder/);
  });
});

describe('export-pytorch: sources', () => {
  it('exports a config as a project that starts from the seed', () => {
    tmp.file('corpus.txt', 'some text to learn from\n');
    const cfg = tmp.file('lm.rnnconfig', config({ task: 'lm', data: { train: 'corpus.txt' }, model: { cell: 'gru', resetAfter: false } }));
    const out = path.join(tmp.dir, 'project');
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, 'start.json'), '{}');       // left from an earlier export of a run
    const result = exportPyTorchProject(cfg, out);
    assert.equal(result.fromRun, false);
    assert.equal(result.task, 'lm');
    assert.deepEqual(fs.readdirSync(out).sort(), ['README.md', 'requirements.txt', 'train.py']);
    const train = fs.readFileSync(path.join(out, 'train.py'), 'utf8');
    assert.match(train, /^START = None$/m);
    assert.match(train, /"resetAfter": False,/);
    const readme = fs.readFileSync(path.join(out, 'README.md'), 'utf8');
    assert.match(readme, /GRU \(reset before the candidate's product\)/);
    assert.doesNotMatch(readme, /\{\{/);
    assert.match(fs.readFileSync(path.join(out, 'requirements.txt'), 'utf8'), /^torch>=1\.13$/m);
  });

  const refusals: [string, () => string, RegExp][] = [
    ['a missing source', () => path.join(tmp.dir, 'nothing'), /no such run folder or config/],
    ['a folder without a checkpoint', () => { fs.mkdirSync(path.join(tmp.dir, 'empty-run'), { recursive: true }); return path.join(tmp.dir, 'empty-run'); }, /has no checkpoint\.bin/],
    ['a seq2seq config', () => {
      tmp.file('pairs.tsv', 'a\tb\n');
      return tmp.file('s2s.rnnconfig', config({ task: 'seq2seq', data: { train: 'pairs.tsv' } }));
    }, /task "seq2seq": the PyTorch project trains lm, tag, classify/],
  ];
  for (const [what, source, message] of refusals) {
    it(`refuses ${what}`, () => assert.throws(() => exportPyTorchProject(source(), path.join(tmp.dir, 'out-refused')), message));
  }
});
