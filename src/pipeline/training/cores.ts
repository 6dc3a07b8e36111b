// How many threads a training run's kernels use. "auto": two when the machine has at least two
// cores and no other RNN Lab training runs (in any process: the extension, the CLI, the bench), else
// one; a number pins it (the `threads` setting, `--threads`, RNN_LAB_THREADS). Running trainings
// announce themselves with a small file each in ${RNNLAB_CACHE:-~/.cache/rnn-lab}/training/, named
// by pid and a nonce; files of processes that no longer exist are ignored and removed.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';

export type ThreadSetting = 'auto' | 1 | 2;

export const trainingRegistryDir = (): string =>
  path.join(process.env.RNNLAB_CACHE || path.join(os.homedir(), '.cache', 'rnn-lab'), 'training');

const alive = (pid: number): boolean => {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
};

/** A running training's claim on the machine's cores; release() when the run ends. */
export interface CoreClaim {
  /** Threads for this run now: the pinned number, or (auto) 2 while no other training runs. */
  threads(): 1 | 2;
  release(): void;
}

/** Announces a training run and decides its threads (see the file comment). Never throws: without a writable registry, auto means 2 cores → 2. */
export function claimCores(setting: ThreadSetting = 'auto', dir = trainingRegistryDir()): CoreClaim {
  const pinned = process.env.RNN_LAB_THREADS;
  const fixed: 1 | 2 | null = setting !== 'auto' ? setting : pinned === '1' || pinned === '2' ? (pinned === '2' ? 2 : 1) : null;
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  const name = `${process.pid}-${randomBytes(6).toString('hex')}`;
  let registered = false;
  try {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, name), JSON.stringify({ pid: process.pid, started: new Date().toISOString() }));
    registered = true;
  } catch { /* no registry: this run cannot see others, nor they it */ }
  const othersRunning = (): boolean => {
    let names: string[];
    try { names = fs.readdirSync(dir); } catch { return false; }
    let others = false;
    for (const other of names) {
      if (other === name) continue;
      const pid = Number(other.split('-')[0]);
      if (Number.isInteger(pid) && pid > 0 && alive(pid)) { others = true; continue; }
      try { fs.rmSync(path.join(dir, other), { force: true }); } catch { /* another process removed it */ }
    }
    return others;
  };
  return {
    threads: () => fixed ?? (cores >= 2 && !othersRunning() ? 2 : 1),
    release: () => {
      if (registered) try { fs.rmSync(path.join(dir, name), { force: true }); } catch { /* already gone */ }
      registered = false;
    },
  };
}
