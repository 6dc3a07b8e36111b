// Training into a disk that fills up: a small tmpfs per case (needs root: mount -t tmpfs), or a
// roomy one that a filler file fills while the run trains. Each case must stop in words (exit 1,
// "disk full writing …"), leave every file parseable and the last checkpoint whole, and resume to
// its end once space is freed (the tmpfs remounted larger, the filler removed). A case is lost when
// any of that fails; a disk too small for the first checkpoint has nothing to keep and is counted apart.
//   node scripts/probe/run.mjs disk-full [--seed 1]
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { arg, checkRunFolder, corpus, lmConfig, rng, runCli, seconds, unclear } from './common';

interface DiskCase {
  readonly name: string;
  readonly size: string;             // tmpfs size=…
  readonly config: 'small' | 'large';
  readonly fillAfterMs?: number;     // a filler takes every free byte this long after the start
}

const random = rng(Number(arg('--seed', '1')));
const cases: DiskCase[] = [
  { name: 'room for one checkpoint, not its model', size: '320k', config: 'small' },
  { name: 'room for one checkpoint and its model', size: '420k', config: 'small' },
  { name: 'the second checkpoint does not fit', size: '600k', config: 'small' },
  { name: 'a few checkpoints, then full', size: '900k', config: 'small' },
  { name: 'large model: one checkpoint fits', size: '4m', config: 'large' },
  ...Array.from({ length: 4 }, (_, k) => ({ name: `filled by another file at a random moment (${k + 1})`, size: '8m', config: 'small' as const, fillAfterMs: 900 + random.int(2500) })),
  { name: 'too small for the first checkpoint', size: '200k', config: 'small' },
];

const sh = (cmd: string, args: string[]) => {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr.trim()}`);
};

/** Writes zeros into file until the disk refuses: what another program filling the disk does. */
function fillDisk(file: string): number {
  const fd = fs.openSync(file, 'w');
  const chunk = Buffer.alloc(16 * 1024);
  let written = 0;
  try {
    for (;;) written += fs.writeSync(fd, chunk, 0, chunk.length);
  } catch {
    // ENOSPC: the disk is full; try 512-byte writes to take the last partial chunk too
    try { for (;;) written += fs.writeSync(fd, chunk, 0, 512); } catch { /* full */ }
  } finally {
    fs.closeSync(fd);
  }
  return written;
}

async function main(): Promise<number> {
  if (process.getuid?.() !== 0) {
    console.error('disk-full: needs root to mount a tmpfs (mount -t tmpfs -o size=… tmpfs DIR)');
    return 2;
  }
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'rnnlab-probe-disk-'));
  fs.writeFileSync(path.join(work, 'corpus.txt'), corpus());
  fs.writeFileSync(path.join(work, 'small.rnnconfig'), lmConfig({ steps: 2000 }));
  fs.writeFileSync(path.join(work, 'large.rnnconfig'), lmConfig({ steps: 2000 }).replace('"hidden": 64', '"hidden": 256'));
  const started = performance.now();
  let lost = 0, nothingToKeep = 0;
  try {
    for (const [k, c] of cases.entries()) {
      const disk = path.join(work, `disk-${k}`);
      fs.mkdirSync(disk);
      sh('mount', ['-t', 'tmpfs', '-o', `size=${c.size}`, 'tmpfs', disk]);
      const problems: string[] = [];
      const runDir = path.join(disk, 'run');
      const filler = path.join(disk, 'filler.bin');
      try {
        let filled = 0;
        const fillTimer = c.fillAfterMs !== undefined ? setTimeout(() => { filled = fillDisk(filler); }, c.fillAfterMs) : undefined;
        const failed = await runCli(['train', `${c.config}.rnnconfig`, '--out', runDir], work, { timeoutMs: 180_000 });
        clearTimeout(fillTimer);
        const last = failed.stderr.trim().split('\n').pop() ?? '';
        const why = unclear(last, 'train');
        const check = checkRunFolder(runDir);
        const kept = check.checkpointStep;
        // With a checkpoint: the work failed (exit 1) and the message names what is kept. Without one
        // (the disk filled before the first): exit 1, or 2 when the run folder itself could not be set up.
        if (failed.code !== 1 && (kept !== null || failed.code !== 2)) problems.push(`exit ${failed.code}: ${last}`);
        if (why || !/disk full/.test(last)) problems.push(`message: ${why ?? 'does not say "disk full"'}: ${last}`);
        if (kept !== null && !last.includes(`checkpoint at step ${kept} is kept`)) problems.push(`the message does not name the kept checkpoint (step ${kept})`);
        problems.push(...check.problems);
        if (check.tempFiles.length) problems.push(`temp files left: ${check.tempFiles.join(', ')}`);
        console.log(`${c.name} (tmpfs ${c.size}${c.fillAfterMs !== undefined ? `, filled after ${c.fillAfterMs} ms with ${Math.round(filled / 1024)} KB` : ''}): exit ${failed.code}, run.json ${check.status}, checkpoint at step ${kept}`);
        console.log(`  ${last}`);

        // Free the space and resume.
        fs.rmSync(filler, { force: true });
        sh('mount', ['-o', 'remount,size=64m', disk]);
        if (kept === null) {
          nothingToKeep++;
          const refused = await runCli(['train', runDir, '--resume'], work);
          const clear = unclear(refused.stderr, 'train');
          if (refused.code !== 2 || clear) problems.push(`resume without a checkpoint: exit ${refused.code}, ${clear ?? ''} ${refused.stderr.trim()}`);
          console.log(`  nothing to keep; resume says: ${refused.stderr.trim()}`);
        } else {
          const target = kept + 20;
          const resumed = await runCli(['train', runDir, '--resume', '--steps', String(target)], work);
          const after = checkRunFolder(runDir);
          if (resumed.code !== 0) problems.push(`resume: exit ${resumed.code}: ${resumed.stderr.trim()}`);
          problems.push(...after.problems.map((p) => `after the resume: ${p}`));
          if (after.status !== 'finished' || after.checkpointStep !== target) problems.push(`after the resume: run.json ${after.status}, checkpoint at step ${after.checkpointStep}, expected finished at ${target}`);
          console.log(`  after freeing space: resume exit ${resumed.code}, run.json ${after.status}, checkpoint at step ${after.checkpointStep}`);
        }
      } finally {
        spawnSync('umount', [disk]);
      }
      if (problems.length) { lost++; console.log(`  LOST: ${problems.join('; ')}`); }
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  console.log(`\ndisk-full cases: ${cases.length} (${nothingToKeep} too small for a first checkpoint: nothing to keep, resume refused in words), lost runs: ${lost}`);
  console.log(`time: ${seconds(performance.now() - started)}`);
  return lost ? 1 : 0;
}

void main().then((code) => process.exit(code));
