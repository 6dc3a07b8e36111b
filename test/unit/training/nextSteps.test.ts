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
  const cases: [string, string[]][] = [
    ['lm', ['Sample', 'Label Tokens', 'Evaluate', 'Export ONNX', 'Open Dashboard']],
    ['tag', ['Label Tokens', 'Evaluate', 'Export ONNX', 'Open Dashboard']],
    ['classify', ['Label Tokens', 'Evaluate', 'Export ONNX', 'Open Dashboard']],
    ['seq2seq', ['Label Tokens', 'Evaluate', 'Export ONNX', 'Open Dashboard']],
    ['embed', ['Show Embeddings', 'Open Dashboard']],
  ];
  for (const [task, labels] of cases) {
    it(`${task}: ${labels.join(', ')}`, () => assert.deepEqual(nextStepsAfter(task).map((s) => s.label), labels));
  }
  it('every button runs a command package.json contributes', () => {
    for (const [task] of cases) {
      for (const s of nextStepsAfter(task)) assert.ok(packageCommands.has(s.command), `${task}: ${s.command}`);
    }
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
