// The form editor's model, without VS Code: groups generated from the schema, the state of a text
// (values, defaults, hidden fields, errors, parse errors) and the minimal edits of one field.
import * as assert from 'node:assert/strict';
import { applyEdits } from 'jsonc-parser';
import { fieldEdits, detectFormatting } from '../../../src/host/config/fieldEdits';
import { formGroups, formState, humanize } from '../../../src/host/config/formModel';
import { matchesCondition, pinnedFields, rnnconfigSchema } from '../../../src/host/config/schema';

const commented = `// my experiment
{
  "task": "lm", // next character
  "data": { "train": "corpus.txt" },
  "model": {
    "cell": "lstm",   // try gru
    "hidden": 64
  }
}
`;

describe('config form model', () => {
  it('groups every schema field into the four sections', () => {
    const groups = formGroups();
    assert.deepEqual(groups.map((g) => g.title), ['Task and data', 'Model', 'Training', 'Sampling']);
    assert.deepEqual(groups[0].fields.slice(0, 4).map((f) => f.key), ['name', 'task', 'data.train', 'data.validation']);
    const byKey = new Map(groups.flatMap((g) => g.fields).map((f) => [f.key, f]));
    assert.deepEqual(byKey.get('model.cell')?.options?.map((o) => o.value), ['rnn', 'gru', 'lstm']);
    assert.deepEqual([byKey.get('model.cell')?.kind, byKey.get('model.peephole')?.kind, byKey.get('model.hidden')?.kind,
      byKey.get('training.learningRate')?.kind, byKey.get('data.validation')?.kind, byKey.get('data.labels')?.kind, byKey.get('sampling.prime')?.kind],
    ['enum', 'boolean', 'integer', 'number', 'shareOrPath', 'stringList', 'string']);
    assert.equal(byKey.get('model.hidden')?.minimum, 1);
    assert.equal(byKey.size, 60);
  });

  it('humanizes keys', () => {
    assert.deepEqual(['learningRate', 'topK', 'earlyStoppingPatience', 'cell'].map(humanize),
      ['Learning rate', 'Top k', 'Early stopping patience', 'Cell']);
  });

  const hiddenCases: [string, object, string[], string[]][] = [
    // name, config, must be hidden, must be shown
    ['lstm (default cell)', {}, ['model.resetAfter', 'model.activation', 'model.dropout'], ['model.peephole']],
    ['gru', { model: { cell: 'gru' } }, ['model.peephole', 'model.activation'], ['model.resetAfter']],
    ['rnn', { model: { cell: 'rnn' } }, ['model.peephole', 'model.resetAfter'], ['model.activation']],
    ['two layers', { model: { layers: 2 } }, [], ['model.dropout']],
    ['lm: no seq2seq fields', { task: 'lm' }, ['model.attention', 'training.teacherForcing', 'sampling.beam', 'sampling.lengthPenalty', 'sampling.maxLength'], ['sampling.temperature']],
    ['seq2seq', { task: 'seq2seq' }, [], ['model.attention', 'training.teacherForcing', 'sampling.beam', 'sampling.lengthPenalty', 'sampling.maxLength']],
    ['adam (default)', {}, ['training.momentum', 'training.nesterov', 'training.decayEvery', 'training.minLearningRate'], ['training.beta1']],
    ['sgd + step schedule', { training: { optimizer: 'sgd', schedule: 'step' } }, ['training.beta1', 'training.beta2'], ['training.momentum', 'training.nesterov', 'training.decayEvery']],
    ['lm', { task: 'lm' }, ['data.labels', 'model.head', 'model.bidirectional'], []],
    ['tag', { task: 'tag' }, [], ['data.labels', 'model.head', 'model.bidirectional']],
    ['embed: the recurrent fields go, its own appear', { task: 'embed' }, ['model.cell', 'model.hidden', 'training.optimizer', 'training.clipNorm', 'sampling.temperature', 'data.validation', 'data.tokenizer'], ['model.method', 'training.window', 'training.negatives', 'data.minCount', 'model.embedding']],
    ['lm: no embed fields', { task: 'lm' }, ['model.method', 'training.window', 'training.epochs', 'training.probeWords'], []],
    ['classify', { task: 'classify' }, ['model.head'], ['data.labels']],
    ['char tokenizer', {}, ['data.minCount', 'data.maxVocab', 'data.vectors'], ['data.lowercase']],
    ['word tokenizer', { data: { tokenizer: 'word' } }, [], ['data.minCount', 'data.maxVocab', 'data.vectors']],
    ['rnn: no LSTM forget bias', { model: { cell: 'rnn' } }, ['model.forgetBias', 'model.peephole'], ['model.activation']],
    ['lstm: its forget bias', { model: { cell: 'lstm' } }, [], ['model.forgetBias']],
    ['gru with a peephole set: shown, to see its error', { model: { cell: 'gru', peephole: true } }, [], ['model.peephole']],
  ];
  for (const [name, config, hidden, shown] of hiddenCases) {
    it(`hides what does not apply: ${name}`, () => {
      const state = formState(JSON.stringify(config), 1);
      for (const k of hidden) assert.ok(state.hidden.includes(k), `${k} should be hidden`);
      for (const k of shown) assert.ok(!state.hidden.includes(k), `${k} should be shown`);
    });
  }

  it("fills in a task's own defaults (taskDefaults) before the plain ones: embed's learning rate, batch and tokenizer", () => {
    const state = formState(JSON.stringify({ task: 'embed', training: { batchSize: 256 } }), 1);
    assert.deepEqual(['training.learningRate', 'training.batchSize', 'data.tokenizer', 'data.minCount', 'model.embedding', 'data.validation'].map((k) => state.effective[k]),
      [0.025, 256, 'word', 5, 100, 0]);
    assert.deepEqual(state.errors, []);
    assert.equal(formState(JSON.stringify({ task: 'lm' }), 1).effective['training.learningRate'], 0.002);
  });

  it('reads explicit values, fills in defaults, keeps comments out of it', () => {
    const state = formState(commented, 7);
    assert.equal(state.version, 7);
    assert.deepEqual(state.values, { task: 'lm', 'data.train': 'corpus.txt', 'model.cell': 'lstm', 'model.hidden': 64 });
    assert.equal(state.effective['model.hidden'], 64);
    assert.equal(state.effective['training.optimizer'], 'adam');
    assert.equal(state.effective['data.validation'], 0.1);
    assert.deepEqual(state.errors, []);
    assert.equal(state.parseError, undefined);
  });

  const errorCases: [string, string, { key: string; message: RegExp }[]][] = [
    ['peephole on gru', '{"model": {"cell": "gru", "peephole": true}}', [{ key: 'model.peephole', message: /only to lstm/ }]],
    ['hidden out of range', '{"model": {"hidden": 0}}', [{ key: 'model.hidden', message: /^Must be >= 1\.$/ }]],
    ['cell not in the enum', '{"model": {"cell": "transformer"}}', [{ key: 'model.cell', message: /"rnn", "gru", "lstm"/ }]],
    ['validation share too large', '{"data": {"validation": 0.9}}', [{ key: 'data.validation', message: /between 0 and 0\.5/ }]],
    ['a typo in a key', '{"model": {"hiden": 64}}', [{ key: '', message: /Unknown field "hiden" in "model"; did you mean "hidden"\?/ }]],
    ['a section of the wrong type', '{"model": 3}', [{ key: '', message: /^model: Must be object\.$/ }]],
    ['not an object', '[1]', [{ key: '', message: /must be a JSON object/ }]],
  ];
  for (const [name, text, expected] of errorCases) {
    it(`errors: ${name}`, () => {
      const { errors } = formState(text, 1);
      assert.equal(errors.length, expected.length, JSON.stringify(errors));
      expected.forEach((e, i) => { assert.equal(errors[i].key, e.key); assert.match(errors[i].message, e.message); });
    });
  }

  it('reports a parse error with its line and column', () => {
    const state = formState('{\n  "task": "lm"\n  "model": {}\n}', 3);
    assert.deepEqual(state.parseError, { message: 'Comma expected (CommaExpected)', line: 3, column: 3 });
    assert.deepEqual(state.hidden, []);
    assert.deepEqual(state.errors, []);
  });

  it('evaluates every condition in the schema (no unsupported keyword)', () => {
    assert.doesNotThrow(() => pinnedFields({}));
    assert.throws(() => matchesCondition({ minimum: 3 } as never, 4), /condition keyword "minimum" is not supported/);
    assert.ok(rnnconfigSchema.allOf!.length >= 3);
  });
});

describe('config field edits', () => {
  const set = (text: string, path: string[], value: unknown) => applyEdits(text, fieldEdits(text, path, value as never));

  const cases: [string, string, string[], unknown, string][] = [
    ['replaces only the value, comments kept', commented, ['model', 'cell'], 'gru', commented.replace('"cell": "lstm"', '"cell": "gru"')],
    ['numbers', commented, ['model', 'hidden'], 128, commented.replace('"hidden": 64', '"hidden": 128')],
    ['adds a key to an existing section, in its indentation', commented, ['model', 'layers'], 2,
      commented.replace('"hidden": 64\n', '"hidden": 64,\n    "layers": 2\n')],
    ['removes a key (reset to default)', commented, ['model', 'hidden'], undefined,
      commented.replace('    "cell": "lstm",   // try gru\n    "hidden": 64\n', '    "cell": "lstm"   // try gru\n')],
    ['creates a missing section', '{\n  "task": "lm"\n}\n', ['training', 'steps'], 300, '{\n  "task": "lm",\n  "training": {\n    "steps": 300\n  }\n}\n'],
    ['fills an empty document', '', ['task', ], 'tag', '{\n  "task": "tag"\n}'],
    ['tabs and CRLF are kept', '{\r\n\t"task": "lm"\r\n}', ['model', 'cell'], 'rnn', '{\r\n\t"task": "lm",\r\n\t"model": {\r\n\t\t"cell": "rnn"\r\n\t}\r\n}'],
    ['string lists', '{\n  "data": {\n    "train": "a.tsv"\n  }\n}', ['data', 'labels'], ['0', '1'],
      '{\n  "data": {\n    "train": "a.tsv",\n    "labels": [\n      "0",\n      "1"\n    ]\n  }\n}'],
    ['removes a middle key with its own comment', '{\n  "a": 1, // one\n  "b": 2, // two\n  "c": 3\n}', ['b'], undefined, '{\n  "a": 1, // one\n  "c": 3\n}'],
    ['removes the last key and the comma before it', '{\n  "a": 1, // one\n  "b": 2\n}', ['b'], undefined, '{\n  "a": 1 // one\n}'],
    ['removes the only key', '{\n  "model": {\n    "cell": "gru"\n  }\n}', ['model', 'cell'], undefined, '{\n  "model": {\n  }\n}'],
    ['removes a key on a shared line (jsonc-parser reformats that line)', '{"a": 1, "b": 2}', ['b'], undefined, '{\n  "a": 1\n}'],
    ['removing a missing key changes nothing', '{"a": 1}', ['model', 'cell'], undefined, '{"a": 1}'],
  ];
  for (const [name, text, path, value, expected] of cases) {
    it(name, () => assert.equal(set(text, path, value), expected));
  }

  it('detects the file\'s indentation', () => {
    assert.deepEqual(detectFormatting('{\n    "a": 1\n}'), { insertSpaces: true, tabSize: 4, eol: '\n' });
    assert.deepEqual(detectFormatting('{}'), { insertSpaces: true, tabSize: 2, eol: '\n' });
  });
});
