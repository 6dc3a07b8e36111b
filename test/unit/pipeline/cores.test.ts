// Threads of a training run: two while the machine has two cores and no other RNN Lab training runs
// (registered as files in a directory), one beside another run; a pinned number always wins; files
// of processes that have exited are ignored and removed.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { claimCores } from '../../../src/pipeline/training/cores';

const cores = os.availableParallelism();
const alone: 1 | 2 = cores >= 2 ? 2 : 1;

describe('claimCores: threads of a training run', () => {
  let dir: string;
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rnnlab-cores-')); });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it(`auto: ${alone} alone (${cores} cores), 1 beside another run, back to ${alone} when it ends`, () => {
    const a = claimCores('auto', dir);
    assert.equal(a.threads(), alone);
    const b = claimCores('auto', dir);
    assert.equal(a.threads(), 1);
    assert.equal(b.threads(), 1);
    b.release();
    assert.equal(a.threads(), alone);
    a.release();
    assert.deepEqual(fs.readdirSync(dir), [], 'released claims leave no file');
  });

  it('pinned 1 or 2 ignores other runs', () => {
    const other = claimCores('auto', dir);
    assert.equal(claimCores(1, dir).threads(), 1);
    assert.equal(claimCores(2, dir).threads(), 2);
    other.release();
  });

  it('a claim left by a process that has exited does not count and is removed', () => {
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    const stale = path.join(dir, `${dead}-0123456789ab`);
    fs.writeFileSync(stale, '{}');
    const a = claimCores('auto', dir);
    assert.equal(a.threads(), alone);
    assert.ok(!fs.existsSync(stale));
    a.release();
  });

  it('RNN_LAB_THREADS pins auto', () => {
    const before = process.env.RNN_LAB_THREADS;
    process.env.RNN_LAB_THREADS = '1';
    try {
      assert.equal(claimCores('auto', dir).threads(), 1);
    } finally {
      if (before === undefined) delete process.env.RNN_LAB_THREADS; else process.env.RNN_LAB_THREADS = before;
    }
  });
});
