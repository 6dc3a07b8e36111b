// A failed training's message → the file to open and where: the config (a value, the field naming a
// missing file, a diverged learning rate) or a data file (a malformed line); and through a worker.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { WorkerToHost } from '../../../src/protocol/worker';
import { faultLocation } from '../../../src/pipeline/training/faultLocation';
import { startTraining } from '../../../src/pipeline/training/trainingClient';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rnnlab-fault-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));
const write = (name: string, content: string) => { const p = path.join(dir, name); fs.writeFileSync(p, content); return p; };

const config = write('tagger.rnnconfig', '{\n  "task": "tag",\n  "data": {\n    "train": "names.tsv",\n    "validation": "valid.tsv"\n  },\n  "training": {\n    "learningRate": 10\n  }\n}\n');
const names = write('names.tsv', 'Harry\t1\nPotter\t1\n\nand\t0\n');
const other = write('other.tsv', 'x\t0\n');

describe('pipeline: faultLocation', () => {
  const start = { configPath: config, runDir: path.join(dir, 'run'), resume: false };
  const cases: { message: string; dataPath?: string; expected: ReturnType<typeof faultLocation> }[] = [
    { message: 'names.tsv:3: expected "token<TAB>label", got 1 field', expected: { kind: 'data', file: names, line: 3 } },
    { message: `${names}: the file is empty; expected UTF-8 text`, expected: { kind: 'data', file: names, line: undefined } },
    { message: 'other.tsv:1: unknown label', dataPath: other, expected: { kind: 'data', file: other, line: 1 } },
    { message: 'valid.tsv:2: expected "token<TAB>label", got 3 fields', expected: { kind: 'data', file: path.join(dir, 'valid.tsv'), line: 2 } },
    { message: 'tagger.rnnconfig:8: /training/learningRate must be <= 1', expected: { kind: 'config', file: config, line: 8 } },
    { message: 'tagger.rnnconfig: /model/bidirectional must be false for a language model', expected: { kind: 'config', file: config, line: undefined } },
    { message: 'data.validation: valid.tsv not found (looked for …)', expected: { kind: 'config', file: config, line: 5 } },
    { message: 'training diverged at step 3: the loss became NaN. Lower training.learningRate', expected: { kind: 'config', file: config, line: 8 } },
    { message: 'the training worker crashed: out of memory', expected: undefined },
    { message: '/elsewhere/corpus.txt: no such file', expected: undefined },
  ];
  for (const c of cases) {
    it(c.message, () => assert.deepEqual(faultLocation(c.message, { ...start, dataPath: c.dataPath }), c.expected));
  }

  it('a worker refusing a malformed data file says the file and line', async () => {
    const bad = write('bad.tsv', 'Harry\t1\nPotter 1\n');
    const plain = write('plain.rnnconfig', '{ "task": "tag", "model": { "hidden": 4 } }');
    const handle = startTraining({ configPath: plain, dataPath: bad, runDir: path.join(dir, 'runs', 'bad'), resume: false });
    const messages: WorkerToHost[] = [];
    handle.onMessage((m) => messages.push(m));
    const outcome = await handle.outcome;
    assert.equal(outcome.type, 'error');
    assert.deepEqual(outcome.type === 'error' && outcome.at, { kind: 'data', file: bad, line: 2 }, outcome.type === 'error' ? outcome.message : '');
    assert.ok(!messages.some((m) => m.type === 'started'), 'it never started');
    assert.ok(!fs.existsSync(path.join(dir, 'runs', 'bad')), 'and left no run folder');
  });
});
