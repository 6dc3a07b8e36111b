// rnn-lab bench: the JSON lines a short run writes (no timing is asserted: speed targets live in the
// bench's own output), and the time-to-quality arithmetic.
import * as assert from 'node:assert/strict';
import { timeToLoss } from '../../../src/cli/bench';
import { jsonLines, runCli, tempDir } from './cliHarness';

const tmp = tempDir('rnnlab-bench-');
after(() => tmp.cleanup());

describe('rnn-lab bench', () => {
  const points = [{ step: 50, seconds: 2, valLoss: 3 }, { step: 100, seconds: 4, valLoss: 2 }, { step: 150, seconds: 6, valLoss: 1.5 }];
  const cases: { target: number; expected: number | null }[] = [
    { target: 3.5, expected: 2 },     // reached at the first evaluation
    { target: 3, expected: 2 },
    { target: 2.5, expected: 3 },     // halfway between the first two
    { target: 1.75, expected: 5 },
    { target: 1.5, expected: 6 },
    { target: 1.4, expected: null },  // never reached
  ];
  for (const c of cases) {
    it(`timeToLoss: validation loss ${c.target} first reached at ${c.expected ?? 'never'} s`, () => assert.equal(timeToLoss(points, c.target), c.expected));
  }

  it('a quick run without PyTorch writes the environment, one measurement per model and round, and a summary', async function () {
    this.timeout(180_000); // two short trainings on a busy machine
    const r = await runCli(['bench', '--quick', '--no-torch', '--steps-a', '4', '--steps-b', '3', '--sample', '20', '--threads', '1', '--json'], tmp.dir);
    assert.equal(r.code, 0, r.stderr);
    const lines = jsonLines<{ type: string; side?: string; model?: string; trainTokPerSec?: number; loadAverage?: number; rows?: unknown[]; threads?: number }>(r.stdout);
    assert.deepEqual(lines.map((l) => l.type), ['environment', 'measurement', 'measurement', 'summary']);
    assert.deepEqual(lines.filter((l) => l.type === 'measurement').map((l) => [l.side, l.model]), [['rnn-lab', 'A'], ['rnn-lab', 'B']]);
    for (const m of lines.filter((l) => l.type === 'measurement')) {
      assert.ok(m.trainTokPerSec! > 0 && Number.isFinite(m.trainTokPerSec), `train tok/s ${m.trainTokPerSec}`);
      assert.equal(typeof m.loadAverage, 'number');
    }
    assert.equal(lines[3].threads, 1);
    assert.equal(lines[3].rows!.length, 2);
  });
});
