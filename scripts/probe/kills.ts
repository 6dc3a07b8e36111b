// kill -9 at random moments during CLI training runs. Each run folder is trained, killed, checked
// (every file parses), resumed, killed again, …; at the end it is resumed to its last step without a
// kill, which must finish. A run is lost when a file of its folder does not parse, when a folder with
// a checkpoint cannot be resumed, or when the last resume does not finish.
//   node scripts/probe/run.mjs kills [--runs 8] [--kills 6] [--window 3000] [--seed 1]
// --kills is per run folder; kill moments are uniform in [0, window] ms after the CLI says training has
// started (--json's "started" line), one in six after the CLI starts (during start-up). Half of
// the runs train a model with a larger checkpoint (hidden 256, ~3 MB), so more kills land in a write.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { arg, checkRunFolder, corpus, lmConfig, rng, runCli, seconds, unclear } from './common';

async function main(): Promise<number> {
  const runs = Number(arg('--runs', '8')), killsPerRun = Number(arg('--kills', '6')), windowMs = Number(arg('--window', '3000'));
  const seed = Number(arg('--seed', '1'));
  const random = rng(seed);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'rnnlab-probe-kills-'));
  fs.writeFileSync(path.join(work, 'corpus.txt'), corpus());
  fs.writeFileSync(path.join(work, 'small.rnnconfig'), lmConfig({ steps: 3000 }));
  fs.writeFileSync(path.join(work, 'large.rnnconfig'), lmConfig({ steps: 3000, checkpointEvery: 5 }).replace('"hidden": 64', '"hidden": 256'));

  const totals = { kills: 0, duringStartup: 0, beforeFirstCheckpoint: 0, tempFilesLeft: 0, staleLocks: 0, filesChecked: 0, resumes: 0, lost: 0 };
  const lostRuns: string[] = [];
  const started = performance.now();

  for (let r = 0; r < runs; r++) {
    const dir = path.join(work, `run-${r}`);
    const configFile = r % 2 === 0 ? 'small.rnnconfig' : 'large.rnnconfig';
    const problems: string[] = [];
    let kills = 0;
    for (let attempt = 0; kills < killsPerRun && attempt < killsPerRun * 3; attempt++) {
      const before = checkRunFolder(dir);
      const resume = before.checkpointStep !== null;
      if (!resume && fs.existsSync(dir)) {
        // Killed before its first checkpoint: nothing was trained that could be lost. Resume must say so in words.
        const refused = await runCli(['train', dir, '--resume'], work);
        const why = unclear(refused.stderr, 'train');
        if (refused.code !== 2 || why) problems.push(`resume without a checkpoint: exit ${refused.code}, ${why ?? refused.stderr.trim()}`);
        fs.rmSync(dir, { recursive: true, force: true });
      }
      const args = resume ? ['train', dir, '--resume', '--json'] : ['train', configFile, '--out', dir, '--json'];
      // One kill in six during start-up (config, data, lock, folder), the others while it trains.
      const duringStartup = random.int(6) === 0;
      const killAfterMs = random.int(windowMs);
      const result = await runCli(args, work, duringStartup ? { killAfterMs } : { killAfterLine: { pattern: /"type":"started"/, ms: killAfterMs } });
      const when = `${killAfterMs} ms after ${duringStartup ? 'the start' : '"started"'}`;
      if (resume) totals.resumes++;
      if (result.signal !== 'SIGKILL') {
        problems.push(`${args.join(' ')} ended by itself before the kill ${when}: exit ${result.code}: ${result.stderr.trim().split('\n').pop()}`);
        continue;
      }
      kills++;
      const after = checkRunFolder(dir);
      totals.filesChecked += after.parsed.length + after.problems.length;
      if (after.checkpointStep === null) totals.beforeFirstCheckpoint++;
      if (duringStartup) totals.duringStartup++;
      if (after.tempFiles.length) totals.tempFilesLeft++;
      if (after.parsed.includes('run.lock')) totals.staleLocks++;
      problems.push(...after.problems.map((p) => `after the kill ${when}: ${p}`));
      if (before.checkpointStep !== null && (after.checkpointStep ?? -1) < before.checkpointStep) {
        problems.push(`the checkpoint went back from step ${before.checkpointStep} to ${after.checkpointStep}`);
      }
    }
    totals.kills += kills;

    // The last resume runs to a few steps past the checkpoint: it must take over the lock, clean the temp files and finish.
    const end = checkRunFolder(dir);
    if (end.checkpointStep === null) {
      fs.rmSync(dir, { recursive: true, force: true });
      const fresh = await runCli(['train', configFile, '--out', dir, '--steps', '20'], work);
      if (fresh.code !== 0) problems.push(`a fresh run after the kills: exit ${fresh.code}: ${fresh.stderr.trim()}`);
    } else {
      const target = end.checkpointStep + 20;
      const finished = await runCli(['train', dir, '--resume', '--steps', String(target)], work);
      totals.resumes++;
      if (finished.code !== 0) problems.push(`the last resume (to step ${target}): exit ${finished.code}: ${finished.stderr.trim()}`);
      const final = checkRunFolder(dir);
      problems.push(...final.problems.map((p) => `after the last resume: ${p}`));
      if (final.status !== 'finished') problems.push(`run.json says ${final.status} after the last resume`);
      if (final.checkpointStep !== target) problems.push(`the checkpoint is at step ${final.checkpointStep}, expected ${target}`);
      if (final.tempFiles.length || final.parsed.includes('run.lock')) problems.push(`left after the last resume: ${[...final.tempFiles, ...final.parsed.filter((n) => n === 'run.lock')].join(', ')}`);
      for (const log of fs.readdirSync(dir).filter((n) => n.endsWith('.jsonl'))) {
        const steps = fs.readFileSync(path.join(dir, log), 'utf8').trim().split('\n').filter((l) => l).map((l) => (JSON.parse(l) as { step: number }).step);
        if (!steps.every((s, i) => i === 0 || s > steps[i - 1])) problems.push(`${log}: steps not strictly increasing (lines of a killed run kept past its checkpoint)`);
      }
    }
    const lost = problems.some((p) => !p.includes('ended by itself'));
    if (lost) { totals.lost++; lostRuns.push(`run-${r}: ${problems.join('; ')}`); }
    console.log(`run-${r} (${configFile}): ${kills} kills, checkpoint at step ${end.checkpointStep}, ${lost ? 'LOST' : 'resumed and finished'}${problems.length ? `\n  ${problems.join('\n  ')}` : ''}`);
  }

  console.log(`\nkills: ${totals.kills} (${totals.duringStartup} timed from the start, not from "started"; ${totals.beforeFirstCheckpoint} before the run's first checkpoint), resumes: ${totals.resumes}, files checked: ${totals.filesChecked}`);
  console.log(`kills that left a temp file of an interrupted write: ${totals.tempFilesLeft}; that left run.lock behind: ${totals.staleLocks} (both cleaned by the next resume)`);
  console.log(`lost runs: ${totals.lost} of ${runs}${lostRuns.length ? `\n${lostRuns.join('\n')}` : ''}`);
  console.log(`time: ${seconds(performance.now() - started)}; work folder ${work} (removed)`);
  fs.rmSync(work, { recursive: true, force: true });
  return totals.lost ? 1 : 0;
}

void main().then((code) => process.exit(code));
