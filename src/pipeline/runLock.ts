// One writer per run folder: run.lock names the process (and thread) training the run. It is created
// exclusively (a hard link of a complete temp file, so nobody reads it half-written), removed when the
// run ends, and taken over when its process is gone (killed, crashed, the machine rebooted).
//
// A process is "the same" when its pid is alive and, on Linux, its start time (boot id + clock ticks
// from /proc) matches the lock's: a pid reused after a reboot or in a fresh container is not a writer.
// A lock written on another host cannot be checked from here and counts as held.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { threadId } from 'node:worker_threads';
import { asStorageError } from './atomicFile';
import { InputError } from './errors';

export const LOCK_FILE = 'run.lock';

/** What run.lock holds. */
export interface LockOwner {
  readonly pid: number;
  readonly threadId: number;          // the worker thread (0 = a process's main thread)
  readonly host: string;
  readonly startedAt: number;         // ms since epoch, when the lock was taken
  readonly processStart: string | null; // Linux: "<boot id>:<start ticks>"; null elsewhere
  readonly nonce: string;             // tells this lock from a later one of the same owner
}

/** Another live process (or thread) writes this run folder: bad input for the second one (exit 2). */
export class RunLockedError extends InputError {
  constructor(readonly runDir: string, readonly owner: LockOwner) {
    super(`${runDir}: ${describeOwner(owner)} is training this run; wait for it to end or stop it (one writer per run folder)`);
  }
}

/** "another training (pid 4242, started 2026-12-02 10:15:03)", with the host when it is not this one. */
export function describeOwner(owner: LockOwner): string {
  const when = new Date(owner.startedAt);
  const pad = (n: number) => String(n).padStart(2, '0');
  const started = `${when.getFullYear()}-${pad(when.getMonth() + 1)}-${pad(when.getDate())} ${pad(when.getHours())}:${pad(when.getMinutes())}:${pad(when.getSeconds())}`;
  const where = owner.host === os.hostname() ? '' : ` on host ${owner.host}; if nothing trains there, delete ${LOCK_FILE}`;
  const self = owner.pid === process.pid ? ', this process' : '';
  return `another training (pid ${owner.pid}${self}, started ${started}${where})`;
}

const lockPath = (runDir: string) => path.join(runDir, LOCK_FILE);

/** This process's start, on Linux: boot id and start time in clock ticks (/proc/<pid>/stat field 22). */
function processStartOf(pid: number): string | null {
  try {
    const boot = fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');   // after "pid (comm) "
    return `${boot}:${fields[19]}`;                                     // field 22 overall
  } catch {
    return null;
  }
}

/** True unless the owner's process is provably gone (or its pid now belongs to another process). */
export function ownerAlive(owner: LockOwner): boolean {
  if (owner.host !== os.hostname()) return true;
  try {
    process.kill(owner.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (owner.processStart === null) return true;
  const now = processStartOf(owner.pid);
  return now === null || now === owner.processStart;
}

/** The lock's owner, or null when there is no lock (or it is unreadable: a corrupt lock holds nothing). */
export function readLockOwner(runDir: string): LockOwner | null {
  try {
    const owner = JSON.parse(fs.readFileSync(lockPath(runDir), 'utf8')) as LockOwner;
    return typeof owner.pid === 'number' && typeof owner.nonce === 'string' ? owner : null;
  } catch {
    return null;
  }
}

/** The live owner of a run folder's lock, or null: what the Runs view and the resume command ask. */
export function liveLockOwner(runDir: string): LockOwner | null {
  const owner = readLockOwner(runDir);
  return owner && ownerAlive(owner) ? owner : null;
}

/** Locks held by this thread, by run folder. */
const held = new Map<string, LockOwner>();

/**
 * Takes runDir's lock for this thread (the folder must exist), taking over a dead owner's. Throws
 * RunLockedError when a live one holds it, a StorageError when the folder cannot be written.
 */
export function acquireRunLock(runDir: string): LockOwner {
  const me: LockOwner = {
    pid: process.pid, threadId, host: os.hostname(), startedAt: Date.now(),
    processStart: processStartOf(process.pid), nonce: randomBytes(8).toString('hex'),
  };
  for (let attempt = 0; attempt < 3; attempt++) {
    if (tryCreate(runDir, me)) {
      held.set(path.resolve(runDir), me);
      return me;
    }
    const owner = readLockOwner(runDir);
    if (owner && ownerAlive(owner)) throw new RunLockedError(runDir, owner);
    removeStale(runDir, owner);
  }
  const owner = readLockOwner(runDir);
  throw owner ? new RunLockedError(runDir, owner) : new InputError(`${runDir}: cannot take ${LOCK_FILE}: other processes keep taking it; try again`);
}

/** Creates the lock with its whole content at once; false when one exists. */
function tryCreate(runDir: string, me: LockOwner): boolean {
  const target = lockPath(runDir);
  const temp = path.join(runDir, `.${LOCK_FILE}.${process.pid}.${me.nonce}.tmp`);
  try {
    fs.writeFileSync(temp, JSON.stringify(me) + '\n', { flag: 'wx' });
  } catch (e) {
    fs.rmSync(temp, { force: true });     // a full disk creates the file, then refuses its bytes
    throw asStorageError(e, target);
  }
  try {
    fs.linkSync(temp, target);
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw asStorageError(e, target);
    // No hard links here (FAT, some network shares): an exclusive create, written straight after.
    try {
      fs.writeFileSync(target, JSON.stringify(me) + '\n', { flag: 'wx' });
      return true;
    } catch (e2) {
      if ((e2 as NodeJS.ErrnoException).code === 'EEXIST') return false;
      fs.rmSync(target, { force: true });   // ours, created and then refused its bytes
      throw asStorageError(e2, target);
    }
  } finally {
    fs.rmSync(temp, { force: true });
  }
}

/**
 * Removes a dead owner's lock. It is renamed aside first and checked: if what moved is not the lock
 * that was judged dead (someone took over in between), it is put back, so a live lock is never lost.
 */
function removeStale(runDir: string, stale: LockOwner | null): void {
  const aside = path.join(runDir, `.${LOCK_FILE}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    fs.renameSync(lockPath(runDir), aside);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;     // already gone
    throw asStorageError(e, lockPath(runDir));
  }
  let moved: LockOwner | null = null;
  try { moved = JSON.parse(fs.readFileSync(aside, 'utf8')) as LockOwner; } catch { /* corrupt: stale */ }
  if (moved && stale && moved.nonce !== stale.nonce) {
    try { fs.linkSync(aside, lockPath(runDir)); } catch { /* a third process holds it now */ }
  }
  fs.rmSync(aside, { force: true });
}

/** Releases this thread's lock of runDir, if it still holds it. */
export function releaseRunLock(runDir: string): void {
  const key = path.resolve(runDir);
  const mine = held.get(key);
  held.delete(key);
  if (mine) releaseLockOf(runDir, (owner) => owner.nonce === mine.nonce);
}

/**
 * Removes runDir's lock when `isOurs(owner)`: the training client calls it with the worker's thread
 * when the worker ended without releasing (it crashed, or was terminated).
 */
export function releaseLockOf(runDir: string, isOurs: (owner: LockOwner) => boolean): void {
  const owner = readLockOwner(runDir);
  if (!owner || !isOurs(owner)) return;
  try { fs.rmSync(lockPath(runDir), { force: true }); } catch { /* a read-only folder keeps it: the next run takes it over */ }
}
