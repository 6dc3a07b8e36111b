// Run folders: names, status file, the status after the training process is gone, listing, atomic writes.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { appendJsonLine, readJsonLines, writeFileAtomic } from '../../../src/pipeline/atomicFile';
import { listRuns, newRunDir, readMetrics, writeRunStatus, type RunStatusFile } from '../../../src/pipeline/runStore';

const runs = fs.mkdtempSync(path.join(os.tmpdir(), 'rnnlab-runs-'));
after(() => fs.rmSync(runs, { recursive: true, force: true }));
const DEAD_PID = 2 ** 22 + 17; // above Linux's pid_max default: no such process

function makeRun(id: string, status: Partial<RunStatusFile>, files: string[] = []): string {
  const dir = path.join(runs, id);
  fs.mkdirSync(dir, { recursive: true });
  writeRunStatus(dir, { status: 'training', task: 'lm', step: 5, totalSteps: 10, pid: process.pid, startedAt: 1, updatedAt: 2, ...status });
  for (const f of files) fs.writeFileSync(path.join(dir, f), 'x');
  return dir;
}

describe('pipeline/runStore', () => {
  it('names run folders <yyyymmdd-hhmmss>-<name>, never reusing one', () => {
    const when = new Date(2026, 10, 26, 9, 5, 7);
    const first = newRunDir(runs, 'my corpus.txt', when);
    assert.equal(path.basename(first), '20261126-090507-my-corpus');
    fs.mkdirSync(first);
    assert.equal(path.basename(newRunDir(runs, 'my corpus.txt', when)), '20261126-090507-my-corpus-2');
  });

  it('lists runs newest first with the status to show', () => {
    makeRun('20260101-000000-live', { status: 'training' });
    makeRun('20260102-000000-orphan-with-checkpoint', { status: 'training', pid: DEAD_PID }, ['checkpoint.bin']);
    makeRun('20260103-000000-orphan', { status: 'training', pid: DEAD_PID });
    makeRun('20260104-000000-done', { status: 'finished', pid: DEAD_PID, loss: 1.5, bestValLoss: 1.7 });
    fs.mkdirSync(path.join(runs, 'not-a-run'));
    const listed = listRuns(runs).filter((r) => r.id.startsWith('2026010'));
    assert.deepEqual(listed.map((r) => [r.id, r.status]), [
      ['20260104-000000-done', 'finished'],
      ['20260103-000000-orphan', 'failed'],
      ['20260102-000000-orphan-with-checkpoint', 'stopped'],
      ['20260101-000000-live', 'training'],
    ]);
    assert.equal(listed[0].bestValLoss, 1.7);
  });

  it('reads metrics.jsonl, skipping a torn last line', () => {
    const dir = makeRun('20260105-000000-metrics', { status: 'finished' });
    appendJsonLine(path.join(dir, 'metrics.jsonl'), { step: 1, loss: 2 });
    fs.appendFileSync(path.join(dir, 'metrics.jsonl'), '{"step": 2, "lo');
    assert.deepEqual(readMetrics(dir), [{ step: 1, loss: 2 }]);
  });

  it('writes atomically: the old content or the new, and no temp file left', () => {
    const file = path.join(runs, 'atomic.json');
    writeFileAtomic(file, 'old');
    writeFileAtomic(file, new Uint8Array([110, 101, 119]));
    assert.equal(fs.readFileSync(file, 'utf8'), 'new');
    assert.deepEqual(fs.readdirSync(runs).filter((n) => n.endsWith('.tmp')), []);
    assert.deepEqual(readJsonLines(path.join(runs, 'missing.jsonl')), []);
  });
});
