// A process killed (SIGKILL) in the middle of writing a checkpoint leaves the previous checkpoint
// intact: writes go to a temp file that is renamed over the old one only when complete.
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { decodeCheckpoint, encodeCheckpoint, type Checkpoint } from '../../../src/engine/checkpoint';
import { paramCount, type ModelSpec } from '../../../src/engine/spec';
import { writeFileAtomic } from '../../../src/pipeline/atomicFile';

const spec = (hidden: number, vocabSize: number): ModelSpec => ({
  cell: 'lstm', vocabSize, embedding: 64, hidden, layers: 1, bidirectional: false, peephole: false, resetAfter: true,
  activation: 'tanh', dropout: 0, outputs: vocabSize, head: 'softmax', manyToOne: false,
});
const checkpointOf = (s: ModelSpec, step: number): Checkpoint => ({
  spec: s, params: new Float32Array(paramCount(s)).fill(step), step, optimizer: null, schedule: null, clip: null, rngs: {}, states: {}, extra: { step },
});

describe('pipeline/atomicFile: SIGKILL during a checkpoint write', function () {
  this.timeout(60_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rnnlab-kill-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('keeps the previous checkpoint whole', async () => {
    const target = path.join(dir, 'checkpoint.bin');
    const previous = encodeCheckpoint(checkpointOf(spec(8, 20), 7));
    writeFileAtomic(target, previous);

    // The child writes a ~100 MB checkpoint over it, again and again, until it is killed.
    const atomicFile = path.resolve(__dirname, '../../../src/pipeline/atomicFile.js');
    const engineCheckpoint = path.resolve(__dirname, '../../../src/engine/checkpoint.js');
    const child = spawn(process.execPath, ['-e', `
      const { writeFileAtomic } = require(${JSON.stringify(atomicFile)});
      const { encodeCheckpoint } = require(${JSON.stringify(engineCheckpoint)});
      const s = ${JSON.stringify(spec(1024, 6000))};
      const params = new Float32Array(${paramCount(spec(1024, 6000))}).fill(8);
      const bytes = encodeCheckpoint({ spec: s, params, step: 8, optimizer: null, schedule: null, clip: null, rngs: {}, states: {}, extra: { step: 8 } });
      process.stdout.write('writing\\n');
      for (;;) writeFileAtomic(${JSON.stringify(target)}, bytes);
    `], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    // Kill it while a temp file is growing: in the middle of a write.
    const deadline = Date.now() + 20_000;
    for (;;) {
      const temp = fs.readdirSync(dir).find((n) => n.endsWith('.tmp'));
      if (temp && fs.statSync(path.join(dir, temp)).size > 0) break;
      if (Date.now() > deadline) throw new Error('the child never started a checkpoint write');
      await new Promise((r) => setImmediate(r));
    }
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));

    const leftovers = fs.readdirSync(dir).filter((n) => n.endsWith('.tmp'));
    assert.equal(leftovers.length, 1, 'the kill should have interrupted a write (a temp file left behind)');
    // The target is a whole checkpoint: the previous one, or a complete new one if a write had finished.
    const kept = decodeCheckpoint(new Uint8Array(fs.readFileSync(target)), 'checkpoint.bin');
    assert.ok(kept.step === 7 || kept.step === 8);
    if (kept.step === 7) assert.deepEqual(new Uint8Array(fs.readFileSync(target)), previous);
  });
});
