// One writer per run folder: the lock names its owner, a live owner keeps it (the message names the
// pid), a dead or reused pid's lock is taken over, and only its owner releases it.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { StorageError } from '../../../src/pipeline/atomicFile';
import { acquireRunLock, LOCK_FILE, readLockOwner, releaseLockOf, releaseRunLock, RunLockedError, type LockOwner } from '../../../src/pipeline/runLock';

/** A pid that surely belongs to no process now: a child that has exited. */
const deadPid = (): number => Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);

describe('pipeline/runLock', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'rnnlab-lock-'));
  after(() => fs.rmSync(root, { recursive: true, force: true }));
  let n = 0;
  const folder = () => { const d = path.join(root, `run${n++}`); fs.mkdirSync(d); return d; };
  const writeLock = (dir: string, owner: Partial<LockOwner>) => fs.writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify({
    pid: process.pid, threadId: 0, host: os.hostname(), startedAt: Date.parse('2026-01-02T03:04:05'), processStart: null, nonce: 'old', ...owner,
  }));

  it('takes a free folder, writes its owner, refuses a second taker naming the pid, and releases', () => {
    const dir = folder();
    const me = acquireRunLock(dir);
    assert.deepEqual(readLockOwner(dir), me);
    assert.equal(me.pid, process.pid);
    assert.throws(() => acquireRunLock(dir), (e: unknown) => e instanceof RunLockedError
      && new RegExp(`: another training \\(pid ${process.pid}, this process, started \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\) is training this run; wait for it to end or stop it`).test(e.message));
    releaseRunLock(dir);
    assert.equal(fs.existsSync(path.join(dir, LOCK_FILE)), false);
    assert.equal(acquireRunLock(dir).pid, process.pid, 'free again');
    releaseRunLock(dir);
  });

  const stale: [string, () => Partial<LockOwner>][] = [
    ['a dead process', () => ({ pid: deadPid() })],
    ['a pid now used by another process (its start time differs)', () => ({ processStart: 'another-boot:123' })],
  ];
  for (const [what, owner] of stale) {
    it(`takes over the lock of ${what}`, function () {
      if (what.includes('start time') && !fs.existsSync('/proc/self/stat')) this.skip();   // only Linux tells start times
      const dir = folder();
      writeLock(dir, owner());
      const me = acquireRunLock(dir);
      assert.equal(readLockOwner(dir)?.nonce, me.nonce);
      releaseRunLock(dir);
    });
  }

  it('takes over a corrupt lock; keeps one from another host, saying so', () => {
    const corrupt = folder();
    fs.writeFileSync(path.join(corrupt, LOCK_FILE), '{"pid": 12');
    acquireRunLock(corrupt);
    releaseRunLock(corrupt);
    const remote = folder();
    writeLock(remote, { host: 'build-server-7', pid: 4242 });
    assert.throws(() => acquireRunLock(remote), /another training \(pid 4242, started 2026-01-02 03:04:05 on host build-server-7; if nothing trains there, delete run\.lock\)/);
  });

  it('releases only its own lock: the training client frees a crashed worker\'s by thread id', () => {
    const dir = folder();
    writeLock(dir, { threadId: 9, nonce: 'worker' });
    releaseRunLock(dir);                                              // not this thread's: kept
    releaseLockOf(dir, (o) => o.threadId === 8);
    assert.equal(readLockOwner(dir)?.nonce, 'worker');
    releaseLockOf(dir, (o) => o.pid === process.pid && o.threadId === 9);
    assert.equal(readLockOwner(dir), null);
  });

  it('a full disk: a StorageError in words and no temp file left behind (the disk-full probe found one)', function () {
    const disk = path.join(root, 'full-disk');
    fs.mkdirSync(disk);
    if (spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', disk]).status !== 0) return this.skip();   // not root
    try {
      const dir = path.join(disk, 'run');
      fs.mkdirSync(dir);
      const fd = fs.openSync(path.join(disk, 'filler'), 'w');
      try { for (;;) fs.writeSync(fd, Buffer.alloc(4096)); } catch { /* full */ } finally { fs.closeSync(fd); }
      assert.throws(() => acquireRunLock(dir), (e: unknown) => e instanceof StorageError && /^disk full writing .*run\/run\.lock$/.test(e.message));
      assert.deepEqual(fs.readdirSync(dir), []);
    } finally {
      spawnSync('umount', [disk]);
    }
  });
});
