// The run folder survives what the disk and other processes do to it: a full disk (a real tmpfs)
// keeps the previous checkpoint whole and resumable; one writer per folder; a read-only folder said
// once; lines past the checkpoint dropped on resume; leftovers of interrupted writes cleaned.
import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { decodeCheckpoint } from '../../../src/engine/checkpoint';
import { importModel } from '../../../src/onnx/import';
import { readJsonLines } from '../../../src/pipeline/atomicFile';
import { CLI, config, runCli, tempDir } from './cliHarness';

const tmp = tempDir('rnnlab-runfolder-');
const mounts: string[] = [];
after(() => {
  for (const m of mounts) spawnSync('umount', [m]);
  tmp.cleanup();
});

/** Mounts a tmpfs of `size` (e.g. "600k") at dir; false where this machine does not let us (not root, no CAP_SYS_ADMIN). */
function mountTmpfs(dir: string, options: string): boolean {
  fs.mkdirSync(dir, { recursive: true });
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { encoding: 'utf8' });
  if (r.status !== 0) return false;
  mounts.push(dir);
  return true;
}
const remount = (dir: string, options: string) => assert.equal(spawnSync('mount', ['-o', `remount,${options}`, dir]).status, 0);

/** ~100 KB of words, the same every time. */
function corpus(): string {
  const words = 'the cat sat on a mat and then it ran off to see the dog who was very happy today'.split(' ');
  let seed = 7;
  return Array.from({ length: 20_000 }, () => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return words[seed % words.length]; }).join(' ');
}

const steps = (dir: string) => readJsonLines<{ step: number }>(path.join(dir, 'metrics.jsonl')).map((l) => l.step);
const strictlyIncreasing = (xs: number[]) => xs.every((x, i) => i === 0 || x > xs[i - 1]);

describe('cli: the run folder under a full disk, two writers and interruptions', function () {
  this.timeout(180_000);
  const lm = (over: Record<string, unknown> = {}) => config({
    task: 'lm', data: { train: 'corpus.txt', validation: 0.1, tokenizer: 'char' }, model: { cell: 'lstm', hidden: 64, embedding: 16 },
    training: { steps: 400, batchSize: 8, sequenceLength: 32, evalEvery: 50, checkpointEvery: 50, ...over },
  });
  before(() => {
    tmp.file('corpus.txt', corpus());
    tmp.file('lm.rnnconfig', lm());
    tmp.file('long.rnnconfig', lm({ steps: 1_000_000, checkpointEvery: 1_000_000 }));
  });

  it('a disk that fills up mid-run: exit 1 in words, the previous checkpoint whole, resumable once space is freed', async function () {
    const disk = path.join(tmp.dir, 'tiny-disk');
    // 600 KB: config, the step-50 checkpoint (280 KB), model.onnx (94 KB) and metrics fit; a second checkpoint's temp file does not.
    if (!mountTmpfs(disk, 'size=600k')) return this.skip();
    const runDir = path.join(disk, 'run');
    const failed = await runCli(['train', 'lm.rnnconfig', '--out', runDir], tmp.dir);
    assert.equal(failed.code, 1, failed.stderr);
    assert.match(failed.stderr.trim().split('\n').pop()!,
      /^rnn-lab train: disk full writing .*tiny-disk\/run\/checkpoint\.bin: the previous checkpoint at step 50 is kept; resume the run once the disk can take it$/);
    const status = JSON.parse(fs.readFileSync(path.join(runDir, 'run.json'), 'utf8'));
    assert.deepEqual([status.status, /disk full/.test(status.message)], ['failed', true]);
    assert.equal(decodeCheckpoint(new Uint8Array(fs.readFileSync(path.join(runDir, 'checkpoint.bin'))), 'checkpoint.bin').step, 50);
    assert.equal(importModel(new Uint8Array(fs.readFileSync(path.join(runDir, 'model.onnx')))).spec.hidden, 64);
    assert.deepEqual(fs.readdirSync(runDir).filter((n) => n.endsWith('.tmp') || n === 'run.lock'), []);

    remount(disk, 'size=4m');
    const resumed = await runCli(['train', runDir, '--resume'], tmp.dir);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.equal(JSON.parse(fs.readFileSync(path.join(runDir, 'run.json'), 'utf8')).status, 'finished');
    const logged = steps(runDir);
    assert.ok(strictlyIncreasing(logged) && logged.at(-1) === 400, `metrics steps ${logged.slice(0, 3)} … ${logged.slice(-3)}`);
  });

  it('two trainers started at once on one folder: exactly one runs, the other exits 2 naming it', async () => {
    const runDir = path.join(tmp.dir, 'contested');
    const [a, b] = await Promise.all([0, 1].map(() => runCli(['train', 'lm.rnnconfig', '--out', runDir, '--steps', '60'], tmp.dir)));
    const codes = [a.code, b.code].sort();
    assert.deepEqual(codes, [0, 2], `${a.stderr}\n${b.stderr}`);
    const loser = a.code === 2 ? a : b;
    // It lost the lock (a live pid), or came after the winner had finished (a run already there).
    assert.match(loser.stderr.trim(), /contested: (another training \(pid \d+, started .*\) is training this run; wait for it to end or stop it|already holds a run)/);
    const logged = steps(runDir);
    assert.ok(strictlyIncreasing(logged) && logged.at(-1) === 60, 'metrics of one run, not two interleaved');
  });

  it('resuming a run that is still training is refused with its pid; once it stops, resume works', async () => {
    const runDir = path.join(tmp.dir, 'live');
    const live = spawn(process.execPath, [CLI, 'train', 'long.rnnconfig', '--out', runDir, '--json'], { cwd: tmp.dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    live.stderr.on('data', (d) => { stderr += d; });
    const exited = new Promise<number>((resolve) => live.on('close', (code) => resolve(code ?? -1)));
    await new Promise<void>((resolve) => {            // the first progress line: training is under way
      let out = '';
      live.stdout.on('data', (d) => { out += d; if (/"type":"progress"/.test(out)) resolve(); });
    });
    const refused = await runCli(['train', runDir, '--resume', '--steps', '5'], tmp.dir);
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr.trim(), new RegExp(`^rnn-lab train: .*live: another training \\(pid ${live.pid}, started .*\\) is training this run`));
    live.kill('SIGINT');                              // the CLI stops the run: a checkpoint, then exit 0
    assert.equal(await exited, 0, stderr);
    assert.equal(fs.existsSync(path.join(runDir, 'run.lock')), false, 'the lock is released');
    const stopped = decodeCheckpoint(new Uint8Array(fs.readFileSync(path.join(runDir, 'checkpoint.bin'))), 'checkpoint.bin').step;
    const again = await runCli(['train', runDir, '--resume', '--steps', String(stopped + 3)], tmp.dir);
    assert.equal(again.code, 0, again.stderr);
  });

  it('a read-only output folder: one line in words, exit 2, no second failure writing the status', async function () {
    const readOnly = path.join(tmp.dir, 'read-only');
    if (!mountTmpfs(readOnly, 'size=64k,ro')) return this.skip();
    for (const out of [path.join(readOnly, 'new-run'), readOnly]) {
      const r = await runCli(['train', 'lm.rnnconfig', '--out', out], tmp.dir);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr.trim(), /^rnn-lab train: .*read-only(\/new-run)?: cannot write the run folder here \(read-only file system\); choose another output folder$/);
    }
  });

  it('on resume: metrics and samples past the checkpoint are dropped, temp files of interrupted writes removed', async () => {
    const runDir = path.join(tmp.dir, 'crashed');
    assert.equal((await runCli(['train', 'lm.rnnconfig', '--out', runDir, '--steps', '12'], tmp.dir)).code, 0);
    // What a crash after step 12's checkpoint leaves: later lines, a torn one, a half-written temp file.
    for (const log of ['metrics.jsonl', 'samples.jsonl']) fs.appendFileSync(path.join(runDir, log), '{"step":13,"loss":1}\n{"step":14,"lo');
    fs.writeFileSync(path.join(runDir, `.checkpoint.bin.${process.pid}.lz0abc1.tmp`), 'half');
    const r = await runCli(['train', runDir, '--resume', '--steps', '12'], tmp.dir);
    assert.equal(r.code, 0, r.stderr);
    for (const log of ['metrics.jsonl', 'samples.jsonl']) {
      const lines = readJsonLines<{ step: number }>(path.join(runDir, log));
      assert.ok(lines.length > 0 && lines.every((l) => l.step <= 12), `${log}: steps ${lines.map((l) => l.step)}`);
      assert.ok(fs.readFileSync(path.join(runDir, log), 'utf8').endsWith('\n'), `${log}: no torn line`);
    }
    assert.deepEqual(fs.readdirSync(runDir).filter((n) => n.endsWith('.tmp')), []);
  });
});
