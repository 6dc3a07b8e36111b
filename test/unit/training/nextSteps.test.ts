// What a finished run offers next (issue 17) and the status-bar item's accessible name (issue 17, item 8).
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { nextStepsAfter } from '../../../src/host/training/nextSteps';
import { statusAccessibleLabel } from '../../../src/host/training/statusText';
import type { ProgressReport } from '../../../src/protocol/worker';

const root = path.resolve(__dirname, '../../../..');
const packageCommands = new Set<string>((JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'))
  .contributes.commands as { command: string }[]).map((c) => c.command));

describe('training host: next steps after a run', () => {
  const all = new Set([...packageCommands, 'rnnLab.evaluate']);
  const cases: [string, ReadonlySet<string>, string[]][] = [
    ['lm', all, ['Sample', 'Label Tokens', 'Evaluate', 'Export ONNX', 'Open Dashboard']],
    ['tag', all, ['Label Tokens', 'Evaluate', 'Export ONNX', 'Open Dashboard']],
    ['classify', all, ['Label Tokens', 'Evaluate', 'Export ONNX', 'Open Dashboard']],
    ['embed', all, ['Show Embeddings', 'Open Dashboard']],
    ['lm', new Set([...packageCommands].filter((c) => c !== 'rnnLab.evaluate')), ['Sample', 'Label Tokens', 'Export ONNX', 'Open Dashboard']],
  ];
  for (const [task, contributed, labels] of cases) {
    it(`${task}${contributed.has('rnnLab.evaluate') ? '' : ', without rnnLab.evaluate'}: ${labels.join(', ')}`, () =>
      assert.deepEqual(nextStepsAfter(task, contributed).map((s) => s.label), labels));
  }
  it('every button runs a command package.json contributes (Evaluate only once it does)', () => {
    for (const task of ['lm', 'tag', 'classify', 'seq2seq', 'embed']) {
      for (const s of nextStepsAfter(task, packageCommands)) assert.ok(packageCommands.has(s.command), `${task}: ${s.command}`);
    }
    assert.equal(nextStepsAfter('lm', packageCommands).some((s) => s.label === 'Evaluate'), packageCommands.has('rnnLab.evaluate'));
  });
});

describe('training host: the status-bar item\'s accessible name', () => {
  const report = { step: 120, totalSteps: 500, loss: 1.23456, tokensPerSec: 4321 } as ProgressReport;
  it('says each run\'s progress in words, without the icon\'s name or markdown', () => {
    const label = statusAccessibleLabel([{ id: 'corpus-1', latest: report }, { id: 'names-2' }], 'corpus-1');
    assert.equal(label, 'RNN Lab training corpus-1: step 120/500, loss 1.235, 4.3k tok/s; RNN Lab training names-2: starting. Activate to open the dashboard of corpus-1.');
    assert.doesNotMatch(label, /pulse|\*\*|\$\(/);
  });
});
