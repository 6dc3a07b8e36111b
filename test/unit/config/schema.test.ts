// The .rnnconfig schema: compiles under ajv strict mode, documents every field, pins conditional
// fields, and accepts every preset. The pipeline validates with this same file and these options.
import * as assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv';
import { parse, printParseErrorCode, type ParseError } from 'jsonc-parser';

const root = path.resolve(__dirname, '../../../..');   // out/test/unit/config → package root
const readJson = (rel: string) => JSON.parse(readFileSync(path.join(root, rel), 'utf8'));
const schema = readJson('schemas/rnnconfig.schema.json');
const vscodeKeywords: string[] = readJson('schemas/vscode-keywords.json');

function compile() {
  const ajv = new Ajv({ strict: true, useDefaults: true, allErrors: true });
  ajv.addVocabulary(vscodeKeywords);
  return ajv.compile(schema);
}

/** Validates a copy (useDefaults fills it in); returns the filled copy and the error paths. */
let compiled: ReturnType<typeof compile> | undefined;
function check(config: unknown): { filled: any; errors: string[] } {
  const validate = (compiled ??= compile());
  const filled = structuredClone(config);
  const ok = validate(filled);
  const errors = ok ? [] : validate.errors!
    .filter((e) => !['if', 'anyOf'].includes(e.keyword))   // the summaries; the leaves say what
    .map((e) => `${e.instancePath} ${e.keyword}`);
  return { filled, errors };
}

/** Every leaf field of the schema: [JSON path, its subschema]. */
function leafFields(node: any = schema, at = ''): [string, any][] {
  return Object.entries<any>(node.properties ?? {}).flatMap(([key, sub]) =>
    sub.type === 'object' ? [[`${at}/${key}`, sub] as [string, any], ...leafFields(sub, `${at}/${key}`)] : [[`${at}/${key}`, sub]]);
}

describe('rnnconfig schema', () => {
  it('compiles with ajv in strict mode (draft-07, useDefaults, allErrors)', () => {
    assert.equal(schema.$schema, 'http://json-schema.org/draft-07/schema#');
    assert.doesNotThrow(compile);
  });

  it('every field has description, markdownDescription, default and examples', () => {
    const fields = leafFields();
    assert.ok(fields.length >= 50, `expected the full field set, found ${fields.length}`);
    for (const [at, sub] of fields) {
      for (const key of ['description', 'markdownDescription', 'default']) {
        assert.ok(sub[key] !== undefined, `${at}: missing ${key}`);
      }
      if (sub.type !== 'object') assert.ok(Array.isArray(sub.examples) && sub.examples.length > 0, `${at}: missing examples`);
    }
  });

  it('every number has a range and every enum documents each value', () => {
    for (const [at, sub] of leafFields()) {
      if (sub.type === 'number' || sub.type === 'integer') {
        assert.ok(sub.minimum !== undefined || sub.exclusiveMinimum !== undefined, `${at}: no lower bound`);
        assert.ok(sub.maximum !== undefined || sub.exclusiveMaximum !== undefined, `${at}: no upper bound`);
      }
      if (sub.enum) {
        assert.equal(sub.enumDescriptions?.length, sub.enum.length, `${at}: enumDescriptions`);
        assert.equal(sub.markdownEnumDescriptions?.length, sub.enum.length, `${at}: markdownEnumDescriptions`);
      }
    }
  });

  it('an empty config is valid and gets every default filled in', () => {
    const { filled, errors } = check({});
    assert.deepEqual(errors, []);
    for (const [at, sub] of leafFields()) {
      const value = at.split('/').slice(1).reduce((o, k) => o?.[k], filled);
      if (sub.type !== 'object') assert.deepEqual(value, sub.default, `${at} default`);
    }
  });

  it('keeps DESIGN.md core fields and their defaults', () => {
    const { filled } = check({});
    assert.deepEqual(
      [filled.data.validation, filled.data.tokenizer, filled.model.cell, filled.model.layers,
        filled.model.bidirectional, filled.model.peephole, filled.model.resetAfter, filled.model.activation,
        filled.model.dropout, filled.training.optimizer, filled.sampling.topK, filled.sampling.topP],
      [0.1, 'char', 'lstm', 1, false, false, true, 'tanh', 0, 'adam', 0, 1]);
  });

  const cases: [string, unknown, string[]][] = [
    ['DESIGN.md example', {
      task: 'lm', data: { train: 'corpus.txt', validation: 0.1, tokenizer: 'char' },
      model: { cell: 'lstm', hidden: 128, layers: 1, bidirectional: false, peephole: false, resetAfter: true,
        activation: 'tanh', embedding: 64, dropout: 0 },
      training: { optimizer: 'adam', learningRate: 0.002, batchSize: 32, sequenceLength: 64, steps: 2000,
        clipNorm: 5, seed: 1, evalEvery: 100 },
      sampling: { temperature: 1.0, topK: 0, topP: 1.0, length: 200, prime: '' } }, []],
    ['unknown top-level key', { tsak: 'lm' }, [' additionalProperties']],
    ['unknown nested key (typo)', { model: { hiden: 64 } }, ['/model additionalProperties']],
    ['task out of enum', { task: 'translate' }, ['/task enum']],
    ['validation share above 0.5', { data: { validation: 0.7 } }, ['/data/validation maximum', '/data/validation type']],
    ['validation as a path', { data: { validation: 'valid.txt' } }, []],
    ['validation as an empty path', { data: { validation: '' } }, ['/data/validation type', '/data/validation minLength']],
    ['peephole on lstm', { model: { cell: 'lstm', peephole: true } }, []],
    ['peephole on gru', { model: { cell: 'gru', peephole: true } }, ['/model/peephole const']],
    ['peephole on the default cell (lstm)', { model: { peephole: true } }, []],
    ['resetAfter false on gru', { model: { cell: 'gru', resetAfter: false } }, []],
    ['resetAfter false on lstm', { model: { cell: 'lstm', resetAfter: false } }, ['/model/resetAfter const']],
    ['relu on rnn', { model: { cell: 'rnn', activation: 'relu' } }, []],
    ['relu on gru', { model: { cell: 'gru', activation: 'relu' } }, ['/model/activation const']],
    ['dropout with one layer', { model: { dropout: 0.3 } }, ['/model/dropout const']],
    ['dropout with two layers', { model: { layers: 2, dropout: 0.3 } }, []],
    ['hidden 0', { model: { hidden: 0 } }, ['/model/hidden minimum']],
    ['hidden not an integer', { model: { hidden: 12.5 } }, ['/model/hidden type']],
    ['bidirectional language model', { task: 'lm', model: { bidirectional: true } }, ['/model/bidirectional const']],
    ['bidirectional tagger', { task: 'tag', model: { bidirectional: true } }, []],
    ['labels for a classifier', { task: 'classify', data: { labels: ['neg', 'pos'] } }, []],
    ['labels for a language model', { task: 'lm', data: { labels: ['a'] } }, ['/data/labels maxItems']],
    ['duplicate labels', { task: 'tag', data: { labels: ['a', 'a'] } }, ['/data/labels uniqueItems']],
    ['sigmoid head for a tagger', { task: 'tag', model: { head: 'sigmoid' } }, []],
    ['sigmoid head for a classifier', { task: 'classify', model: { head: 'sigmoid' } }, ['/model/head const']],
    ['minCount with the word tokenizer', { data: { tokenizer: 'word', minCount: 3 } }, []],
    ['minCount with the char tokenizer', { data: { minCount: 3 } }, ['/data/minCount const']],
    ['sgd with momentum', { training: { optimizer: 'sgd', momentum: 0.9, nesterov: true } }, []],
    ['adam with momentum', { training: { momentum: 0.9 } }, ['/training/momentum const']],
    ['sgd with beta1', { training: { optimizer: 'sgd', beta1: 0.8 } }, ['/training/beta1 const']],
    ['adamw with betas and decay', { training: { optimizer: 'adamw', beta1: 0.8, beta2: 0.99, weightDecay: 0.01 } }, []],
    ['step schedule', { training: { schedule: 'step', decayEvery: 200, decayFactor: 0.1, warmupSteps: 50 } }, []],
    ['decayEvery without the step schedule', { training: { schedule: 'cosine', decayEvery: 200 } }, ['/training/decayEvery const']],
    ['learning rate 0', { training: { learningRate: 0 } }, ['/training/learningRate exclusiveMinimum']],
    ['unknown optimizer', { training: { optimizer: 'lion' } }, ['/training/optimizer enum']],
    ['topP 0', { sampling: { topP: 0 } }, ['/sampling/topP exclusiveMinimum']],
    ['greedy sampling', { sampling: { temperature: 0 } }, []],
    ['run name with a slash', { name: 'a/b' }, ['/name pattern']],
    ['embed, word tokenizer, its own fields', { task: 'embed', data: { tokenizer: 'word', minCount: 5, validation: 0 }, model: { embedding: 100, method: 'cbow' }, training: { window: 8, negatives: 10, subsample: 1e-4, epochs: 3, probeWords: ['king'] } }, []],
    ['embed with the char tokenizer', { task: 'embed', data: { tokenizer: 'char', validation: 0 } }, ['/data/tokenizer const']],
    ['embed with a recurrent field', { task: 'embed', data: { tokenizer: 'word', validation: 0 }, model: { cell: 'gru' }, training: { clipNorm: 1 } }, ['/model/cell const', '/training/clipNorm const']],
    ['embed with validation data', { task: 'embed', data: { tokenizer: 'word', validation: 0.2 } }, ['/data/validation const']],
    ['an embed field in an lm', { task: 'lm', model: { method: 'cbow' }, training: { window: 3 } }, ['/model/method const', '/training/window const']],
  ];
  for (const [name, config, expected] of cases) {
    it(`${name} → ${expected.length ? expected.join(', ') : 'valid'}`, () => {
      assert.deepEqual(check(config).errors.sort(), [...expected].sort());
    });
  }

  const presetDir = path.join(root, 'presets');
  const presets = readdirSync(presetDir).filter((f) => f.endsWith('.rnnconfig')).sort();
  it('ships the presets (six for the tasks, two pairs that show vanishing and exploding gradients)', () => {
    assert.deepEqual(presets, ['bilstm-tagger.rnnconfig', 'char-lstm-lm.rnnconfig', 'explode-clip.rnnconfig', 'explode-noclip.rnnconfig',
      'gru-attention-seq2seq.rnnconfig', 'gru-classifier.rnnconfig', 'vanish-lstm.rnnconfig', 'vanish-rnn.rnnconfig',
      'word-gru-lm.rnnconfig', 'word2vec-skipgram.rnnconfig']);
  });
  for (const file of presets) {
    it(`preset ${file} parses as JSON with comments, opens with a title comment and is valid`, () => {
      const text = readFileSync(path.join(presetDir, file), 'utf8');
      assert.match(text, /^\/\/ [^\n]+: [^\n]+/);
      const parseErrors: ParseError[] = [];
      const config = parse(text, parseErrors, { allowTrailingComma: false, disallowComments: false });
      assert.deepEqual(parseErrors.map((e) => `${printParseErrorCode(e.error)} at ${e.offset}`), []);
      const { filled, errors } = check(config);
      assert.deepEqual(errors, []);
      // Small enough to train visibly in about a minute on two cores.
      assert.ok(filled.model.hidden >= 64 && filled.model.hidden <= 128, `hidden ${filled.model.hidden}`);
      if (filled.task === 'embed') assert.ok(filled.training.epochs > 0 && filled.training.epochs <= 10, `epochs ${filled.training.epochs}`);
      else assert.ok(filled.training.steps <= 600, `steps ${filled.training.steps}`);
      assert.equal(filled.data.train, '', 'presets leave data.train to New RNN Config / Train on This File');
    });
  }
});
