// Measures what the "See it vanish" presets show (README, issue 17): trains vanish-rnn and vanish-lstm on
// samples/long-memory.tsv and explode-noclip / explode-clip on samples/corpus.txt with the CLI, then reads
// each run folder: ‖∂L/∂a<1>‖ / ‖∂L/∂a<T>‖ from gradients.jsonl (step 1, and the geometric mean of the
// last 50 steps), the largest global gradient norm and loss from metrics.jsonl, the last validation loss.
// Usage: npm run build && node scripts/gradient-ratio.mjs [--keep]   (one thread per run, one run at a time)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const cli = join(root, 'dist', 'cli.js');
const out = mkdtempSync(join(tmpdir(), 'rnnlab-gradient-ratio-'));
const lines = (file) => readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const geometricMean = (xs) => Math.exp(xs.reduce((s, x) => s + Math.log(x), 0) / xs.length);
const e = (x) => (Number.isFinite(x) ? x.toExponential(1) : String(x));

const runs = [['vanish-rnn', 'long-memory.tsv'], ['vanish-lstm', 'long-memory.tsv'], ['explode-noclip', 'corpus.txt'], ['explode-clip', 'corpus.txt']];
console.log('| preset | ratio at step 1 | ratio, last 50 steps | largest ‖g‖ | largest loss | clipped steps | last validation loss |');
console.log('| --- | --- | --- | --- | --- | --- | --- |');
for (const [preset, data] of runs) {
  const runDir = join(out, preset);
  execFileSync(process.execPath, [cli, 'train', join(root, 'samples', data), '--config', join(root, 'presets', `${preset}.rnnconfig`),
    '--out', runDir, '--threads', '1', '--json'], { stdio: ['ignore', 'ignore', 'inherit'] });
  const ratios = lines(join(runDir, 'gradients.jsonl')).map((g) => g.norms[0] / g.norms[g.norms.length - 1]);
  const metrics = lines(join(runDir, 'metrics.jsonl'));
  const vals = metrics.filter((m) => m.valLoss !== undefined);
  console.log(`| ${preset} | ${e(ratios[0])} | ${e(geometricMean(ratios.slice(-50)))} | ${e(Math.max(...metrics.map((m) => m.gradNorm)))} | ` +
    `${Math.max(...metrics.map((m) => m.loss)).toPrecision(4)} | ${metrics.filter((m) => m.clipped).length} | ${vals.at(-1)?.valLoss.toFixed(3)} |`);
}
if (process.argv.includes('--keep')) console.log(`run folders kept in ${out}`);
else rmSync(out, { recursive: true, force: true });
