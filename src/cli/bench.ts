// `rnn-lab bench [--json]`: the issue-9 workloads through the real trainer (a training worker, as
// the extension runs it) and the real sampler, beside PyTorch run in the same session, interleaved
// round by round, with ratios: the reference PyTorch (--python: the 2.13 CPU wheel's venv made by
// scripts/torch-venv.sh) and a baseline beside it (--baseline: Debian's 1.13). Then the
// time-to-quality workload. The corpus is generated (benchCorpus.ts), not downloaded.
//
// Workloads: char LM on 1,000,000 characters (V = 96), embedding 64, batch 32, sequence 64,
// Adam 2e-3, float32. A: 1-layer LSTM H=128. B: 2-layer GRU H=256. Train tok/s = batch×seq / mean
// step time after warm-up (the slowest tenth left out); sample tok/s = N characters, batch 1, temperature 1, one step per token.
// Time to quality: model A for 400 steps on the corpus less its last 1% (held out), the validation
// loss every 50 steps; the target is the worse of the two final losses, and each side's time is
// when its validation loss first reached it (linear between evaluations), evaluations included.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { activeWasmEngine, useWasmKernels } from '../engine/wasm';
import { kernels } from '../engine/kernels';
import { Rng } from '../engine/rng';
import { sample } from '../engine/sampler';
import { loadModel } from '../pipeline/loadModel';
import { packageRoot } from '../pipeline/packageRoot';
import { readJsonLines } from '../pipeline/atomicFile';
import { runFile, type MetricsLine } from '../pipeline/runStore';
import { claimCores } from '../pipeline/training/cores';
import { borrowSecondThread } from '../pipeline/inference/samplingThreads';
import { startTraining } from '../pipeline/training/trainingClient';
import { generateBenchCorpus } from './benchCorpus';
import { jsonLine, processIO, type CliIO } from './output';

/** Where scripts/torch-venv.sh puts the PyTorch 2.13 venv by default. */
const torchVenvPython = (): string =>
  path.join(process.env.RNNLAB_CACHE || path.join(os.homedir(), '.cache', 'rnn-lab'), 'torch-2.13-venv', 'bin', 'python');
const DEBIAN_PYTHON = '/usr/bin/python3';

const USAGE = `rnn-lab bench [--json] [--quick] [--models A,B] [--rounds R] [--steps-a N] [--steps-b N]
                [--sample N] [--threads 1|2] [--no-torch] [--python PATH] [--baseline PATH|none]
                [--no-quality] [--quality-steps N] [--keep]
  Trains model A (1-layer LSTM 128) and B (2-layer GRU 256) as a char LM on a generated 1M-character
  text through the real trainer, samples N characters, and runs the same in PyTorch (1 thread), then
  the time-to-quality run (model A, 400 steps, validation loss on a held-out 1%).
  --python: the reference PyTorch (default: the venv of scripts/torch-venv.sh, PyTorch 2.13, when it
  exists, else ${DEBIAN_PYTHON}); --baseline: another PyTorch reported beside it (default
  ${DEBIAN_PYTHON}, Debian's 1.13; none to skip).
  --threads: rnn-lab's kernel threads (default: 2 when the machine has two cores and no other RNN Lab
  training runs; RNN_LAB_THREADS pins it). --quick: 1 round of short runs, no time-to-quality run.`;

type Side = 'rnn-lab' | 'pytorch' | 'baseline';

interface ModelWorkload {
  readonly name: 'A' | 'B';
  readonly label: string;
  readonly model: { cell: 'lstm' | 'gru'; hidden: number; layers: number };
  readonly steps: number;
  readonly warmup: number;
}

interface BenchOptions {
  json: boolean;
  models: ('A' | 'B')[];
  rounds: number;
  stepsA: number;
  stepsB: number;
  sampleLength: number;
  torch: boolean;
  python: string;
  baseline: string | null;
  quality: boolean;
  qualitySteps: number;
  keep: boolean;
  threads: 1 | 2 | null;
}

interface Measurement {
  readonly side: Side;
  readonly model: 'A' | 'B';
  readonly round: number;
  readonly trainTokPerSec: number;
  readonly sampleTokPerSec: number | null;
  readonly peakRssMB: number;
  readonly lastLoss: number;
  readonly loadAverage: number;
}

/** (seconds since the first step began, validation loss) at each evaluation. */
interface QualityPoint { readonly step: number; readonly seconds: number; readonly valLoss: number }

function parseArgs(argv: readonly string[]): BenchOptions | string {
  const venv = torchVenvPython();
  const o: BenchOptions = {
    json: false, models: ['A', 'B'], rounds: 2, stepsA: 60, stepsB: 20, sampleLength: 2000, torch: true,
    python: fs.existsSync(venv) ? venv : DEBIAN_PYTHON, baseline: DEBIAN_PYTHON, quality: true, qualitySteps: 400, keep: false, threads: null,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    const count = (min: number): number => {
      const v = Number(value());
      if (!Number.isInteger(v) || v < min) throw new Error(`${a} expects an integer >= ${min}`);
      return v;
    };
    switch (a) {
      case '--json': o.json = true; break;
      case '--quick': o.rounds = 1; o.stepsA = 15; o.stepsB = 6; o.sampleLength = 500; o.quality = false; break;
      case '--models': o.models = value().split(',').map((m) => {
        if (m !== 'A' && m !== 'B') throw new Error(`--models expects A, B or A,B, got ${JSON.stringify(m)}`);
        return m;
      }); break;
      case '--rounds': o.rounds = count(1); break;
      case '--steps-a': o.stepsA = count(3); break;
      case '--steps-b': o.stepsB = count(3); break;
      case '--sample': o.sampleLength = count(0); break;
      case '--threads': {
        const t = value();
        if (t !== '1' && t !== '2') throw new Error(`--threads expects 1 or 2, got ${JSON.stringify(t)}`);
        o.threads = t === '2' ? 2 : 1;
        break;
      }
      case '--no-torch': o.torch = false; break;
      case '--python': o.python = value(); break;
      case '--baseline': { const v = value(); o.baseline = v === 'none' ? null : v; break; }
      case '--no-quality': o.quality = false; break;
      case '--quality-steps': o.qualitySteps = count(50); break;
      case '--keep': o.keep = true; break;
      case '--help': case '-h': return USAGE;
      default: throw new Error(`unknown option ${JSON.stringify(a)}\n${USAGE}`);
    }
  }
  return o;
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const load = (): number => os.loadavg()[0];

const QUALITY_EVERY = 50;

/** The .rnnconfig of a workload: no clipping, evaluation and samples only at the end (as PyTorch's loop), or every 50 steps for quality. */
function writeConfig(dir: string, w: ModelWorkload, evalEvery = 10_000_000): string {
  const config = {
    name: `bench-${w.name}`,
    task: 'lm',
    data: { train: 'corpus.txt', validation: 0.01, tokenizer: 'char' },
    model: { cell: w.model.cell, hidden: w.model.hidden, layers: w.model.layers, bidirectional: false, embedding: 64, dropout: 0 },
    training: {
      optimizer: 'adam', learningRate: 0.002, batchSize: 32, sequenceLength: 64, steps: w.steps, clipNorm: 0, seed: 1,
      evalEvery, checkpointEvery: 10_000_000, sampleEvery: 0,
    },
  };
  const file = path.join(dir, `bench-${w.name}-${w.steps}.rnnconfig`);
  fs.writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

/** Trains through the training worker; returns the run's metrics lines (one per step). */
async function runOurs(dir: string, w: ModelWorkload, runName: string, threads: 1 | 2, evalEvery?: number): Promise<{ runDir: string; lines: MetricsLine[] }> {
  const runDir = path.join(dir, runName);
  const handle = startTraining({ configPath: writeConfig(dir, w, evalEvery), runDir, resume: false, threads });
  const outcome = await handle.outcome;
  if (outcome.type === 'error') throw new Error(`model ${w.name} training failed: ${outcome.message}`);
  return { runDir, lines: readJsonLines<MetricsLine>(runFile(runDir, 'metrics')) };
}

/** What a --train-round child is given: one round of one workload. */
interface TrainRound { readonly dir: string; readonly w: ModelWorkload; readonly runName: string; readonly threads: 1 | 2 }

/** The CLI's entry script (dist/cli.js bundled, out/src/cli.js under tsc), to run a round in a child process. */
const cliScript = (): string => {
  const candidates = [path.join(__dirname, 'cli.js'), path.join(__dirname, '..', 'cli.js')];
  const found = candidates.find((f) => fs.existsSync(f));
  if (!found) throw new Error(`rnn-lab bench: the CLI script is not at ${candidates.join(' or ')}`);
  return found;
};

/**
 * One training round in a process of its own (the training worker in it, as the extension runs it),
 * as each PyTorch round runs in its own: its peak RSS is that run's alone. In the bench's process a
 * round's peak would carry the leftovers of every earlier round (freed workers' heaps, loaded models).
 */
function runOursInChild(round: TrainRound): { runDir: string; lines: MetricsLine[]; peakRssMB: number } {
  const r = spawnSync(process.execPath, [cliScript(), 'bench', '--train-round', JSON.stringify(round)], { encoding: 'utf8', maxBuffer: 16 << 20 });
  const last = (r.stdout ?? '').trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !last.startsWith('{')) throw new Error(`model ${round.w.name} training (round ${round.runName}) failed: ${(r.stderr || String(r.error)).trim().split('\n').pop()}`);
  const { peakRssMB } = JSON.parse(last) as { peakRssMB: number };
  const runDir = path.join(round.dir, round.runName);
  return { runDir, lines: readJsonLines<MetricsLine>(runFile(runDir, 'metrics')), peakRssMB };
}

/** The child's side of runOursInChild: trains, then prints its peak RSS (main thread + training worker) as JSON. */
async function trainRoundHere(json: string, io: CliIO): Promise<number> {
  const round = JSON.parse(json) as TrainRound;
  await runOurs(round.dir, round.w, round.runName, round.threads);
  io.out(jsonLine({ peakRssMB: process.resourceUsage().maxRSS / 1024 }));
  return 0;
}

/**
 * Step times from metrics.jsonl: intervals between consecutive steps after warm-up (the last step
 * also evaluates, so it is left out). The times are whole milliseconds, so a median of intervals
 * would move in steps of 1 ms (5% of a 20 ms step): the mean of the intervals below the 90th
 * percentile instead (the slowest tenth, GC and scheduling hiccups, left out).
 */
function trainTokPerSec(w: ModelWorkload, lines: readonly MetricsLine[]): number {
  const intervals: number[] = [];
  for (let i = Math.max(1, w.warmup); i < lines.length - 1; i++) intervals.push(lines[i].time - lines[i - 1].time);
  if (intervals.length === 0) throw new Error(`model ${w.name}: too few steps logged (${lines.length}) to time`);
  const kept = [...intervals].sort((a, b) => a - b).slice(0, Math.max(1, Math.ceil(intervals.length * 0.9)));
  const stepMs = kept.reduce((a, b) => a + b, 0) / kept.length;
  return (32 * 64) / (Math.max(stepMs, 0.5) / 1000);
}

/**
 * N characters from the trained run, batch 1, temperature 1, through the engine's sampler, with the
 * second thread borrowed as rnn-lab sample borrows it (samplingThreads.ts; started before the warm-up).
 */
function sampleOurs(runDir: string, length: number): number | null {
  if (length === 0) return null;
  const loaded = loadModel(runDir, 'engine');
  const release = borrowSecondThread(loaded.spec, length);
  try {
    const prime = loaded.tokenizer ? loaded.tokenizer.primeIds('') : [0];
    activeWasmEngine()?.kernels.team?.waitReady(5000); // the steady rate: the helper's start is a one-off of tens of ms
    sample(loaded.stepper, { prime, length: Math.min(length, 1000), temperature: 1, rng: new Rng(2) }); // warm-up (the JIT, the kernels' tier-up)
    const began = performance.now();
    const ids = sample(loaded.stepper, { prime, length, temperature: 1, rng: new Rng(1) });
    return ids.length / ((performance.now() - began) / 1000);
  } finally {
    release();
    loaded.dispose();
  }
}

interface TorchBackend { rnn: string; blas: string; blasInfo: string; onednn: string | null; cpuCapability: string; recurrentOps: string[]; blasLibraries: string[] }
interface TorchResult {
  trainTokPerSec: number; sampleTokPerSec: number | null; peakRssMB: number; lastLoss: number;
  blas: string; torch: string; threads: number; backend: TorchBackend;
}
interface TorchQuality { torch: string; threads: number; backend: TorchBackend; quality: QualityPoint[]; peakRssMB: number }

function runTorch<T>(python: string, args: string[], what: string): T {
  const script = path.join(packageRoot(), 'scripts', 'bench', 'torch_bench.py');
  const r = spawnSync(python, ['-W', 'ignore', script, ...args], {
    encoding: 'utf8',
    env: { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1', OMP_WAIT_POLICY: 'PASSIVE' },
    maxBuffer: 16 << 20,
  });
  if (r.status !== 0) throw new Error(`PyTorch run (${what}) failed (${python} ${script}): ${(r.stderr || String(r.error)).trim().split('\n').pop()}`);
  return JSON.parse(r.stdout.trim().split('\n').pop() ?? '') as T;
}

/** Does this python import torch? (that side is skipped, with a note, when it does not) */
function torchAvailable(python: string): boolean {
  const r = spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8' });
  return r.status === 0;
}

/** Seconds at which the validation loss first reached `target`, linear between evaluations; null if never. */
export function timeToLoss(points: readonly QualityPoint[], target: number): number | null {
  for (let i = 0; i < points.length; i++) {
    if (points[i].valLoss > target) continue;
    if (i === 0) return points[0].seconds;
    const a = points[i - 1], b = points[i];
    return a.seconds + ((a.valLoss - target) / (a.valLoss - b.valLoss)) * (b.seconds - a.seconds);
  }
  return null;
}

const fmt = (x: number | null | undefined): string => (x === null || x === undefined ? '—' : Math.round(x).toLocaleString('en-US'));
const times = (x: number | null | undefined): string => (x ? `${x.toFixed(2)}×` : '—');

export async function runBench(argv: readonly string[], io: CliIO = processIO): Promise<number> {
  if (argv[0] === '--train-round' && argv[1] !== undefined) return trainRoundHere(argv[1], io);
  let o: BenchOptions;
  try {
    const parsed = parseArgs(argv);
    if (typeof parsed === 'string') { io.out(parsed + '\n'); return 0; }
    o = parsed;
  } catch (e) {
    io.err(`rnn-lab bench: ${(e as Error).message}\n`);
    return 2;
  }
  const log = (text: string) => { if (!o.json) io.err(text + '\n'); };
  useWasmKernels({ threads: 1 }); // this thread samples; a long sample of a large model borrows a second one (sampleOurs)
  const workloads: ModelWorkload[] = [
    { name: 'A' as const, label: 'A: LSTM 1×128', model: { cell: 'lstm' as const, hidden: 128, layers: 1 }, steps: o.stepsA, warmup: Math.min(5, Math.floor(o.stepsA / 3)) },
    { name: 'B' as const, label: 'B: GRU 2×256', model: { cell: 'gru' as const, hidden: 256, layers: 2 }, steps: o.stepsB, warmup: Math.min(3, Math.floor(o.stepsB / 3)) },
  ].filter((w) => o.models.includes(w.name));

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rnn-lab-bench-'));
  try {
    const corpus = path.join(dir, 'corpus.txt');
    fs.writeFileSync(corpus, generateBenchCorpus());
    const pythons: { side: Exclude<Side, 'rnn-lab'>; python: string }[] = [];
    if (o.torch) {
      if (torchAvailable(o.python)) pythons.push({ side: 'pytorch', python: o.python });
      else log(`reference PyTorch skipped: ${o.python} cannot import torch (make it with scripts/torch-venv.sh)`);
      if (o.baseline && o.baseline !== o.python) {
        if (torchAvailable(o.baseline)) pythons.push({ side: 'baseline', python: o.baseline });
        else log(`baseline PyTorch skipped: ${o.baseline} cannot import torch`);
      }
    }
    // The threads the training worker would take by itself (cores.ts), pinned so every round uses the same.
    const claim = claimCores(o.threads ?? 'auto');
    const threads = claim.threads();
    claim.release();
    const env = {
      kernels: activeWasmEngine()?.kernels.name ?? kernels.name, trainingThreads: threads, cpus: os.cpus().length, cpu: os.cpus()[0]?.model ?? '?',
      node: process.version, loadAverage: load(), pythons: Object.fromEntries(pythons.map((p) => [p.side, p.python])),
    };
    log(`rnn-lab bench: kernels ${env.kernels}, training on ${threads} thread(s), ${env.cpus} cores (${env.cpu}), Node ${env.node}, load average ${env.loadAverage.toFixed(1)}`);
    if (o.json) io.out(jsonLine({ type: 'environment', ...env }));

    const results: Measurement[] = [];
    // Each side's last result, and each model's recurrent op (model A's LSTM and B's GRU run differently).
    const torchInfo: Partial<Record<Side, TorchResult>> = {};
    const torchRnn: Partial<Record<Side, Record<string, { rnn: string; recurrentOps: string[] }>>> = {};
    const record = (m: Measurement, label: string) => {
      results.push(m);
      log(`  ${label} round ${m.round}: ${m.side} train ${fmt(m.trainTokPerSec)} tok/s, sample ${fmt(m.sampleTokPerSec)} tok/s, peak RSS ${m.peakRssMB.toFixed(0)} MB, loss ${m.lastLoss.toFixed(3)}, load ${m.loadAverage.toFixed(1)}`);
      if (o.json) io.out(jsonLine({ type: 'measurement', ...m }));
    };
    for (const w of workloads) {
      for (let round = 1; round <= o.rounds; round++) {
        const ours = runOursInChild({ dir, w, runName: `run-${w.name}-${round}`, threads });
        const tokPerSec = trainTokPerSec(w, ours.lines);
        record({ side: 'rnn-lab', model: w.name, round, trainTokPerSec: tokPerSec, sampleTokPerSec: sampleOurs(ours.runDir, o.sampleLength), peakRssMB: ours.peakRssMB,
          lastLoss: ours.lines[ours.lines.length - 1].loss, loadAverage: load() }, w.label);
        for (const { side, python } of pythons) {
          const t = runTorch<TorchResult>(python, ['--corpus', corpus, '--model', w.name, '--steps', String(w.steps), '--warmup', String(w.warmup), '--sample', String(o.sampleLength)], `model ${w.name}`);
          torchInfo[side] = t;
          (torchRnn[side] ??= {})[w.name] = { rnn: t.backend.rnn, recurrentOps: t.backend.recurrentOps };
          record({ side, model: w.name, round, trainTokPerSec: t.trainTokPerSec, sampleTokPerSec: t.sampleTokPerSec, peakRssMB: t.peakRssMB, lastLoss: t.lastLoss, loadAverage: load() }, w.label);
        }
      }
    }

    // Time to quality: model A, the reference PyTorch only (the baseline is not the target).
    let quality: {
      steps: number; evalEvery: number; targetValLoss: number; ours: { points: QualityPoint[]; seconds: number | null; finalValLoss: number; loadAverage: number };
      pytorch: { points: QualityPoint[]; seconds: number | null; finalValLoss: number; loadAverage: number }; speedup: number | null;
    } | null = null;
    const reference = pythons.find((p) => p.side === 'pytorch');
    if (o.quality && reference) {
      const w: ModelWorkload = { name: 'A', label: 'time to quality', model: { cell: 'lstm', hidden: 128, layers: 1 }, steps: o.qualitySteps, warmup: 0 };
      const ours = await runOurs(dir, w, 'run-quality', threads, QUALITY_EVERY);
      const oursLoad = load();
      // The first step began one step time before its line (the run's set-up comes before).
      const t0 = ours.lines[0].time - (ours.lines[1].time - ours.lines[0].time);
      const oursPoints = ours.lines.filter((l) => l.valLoss !== undefined).map((l) => ({ step: l.step, seconds: (l.time - t0) / 1000, valLoss: l.valLoss! }));
      const t = runTorch<TorchQuality>(reference.python, ['--corpus', corpus, '--quality', '--steps', String(o.qualitySteps), '--eval-every', String(QUALITY_EVERY)], 'time to quality');
      const torchLoad = load();
      const finalOurs = oursPoints[oursPoints.length - 1].valLoss, finalTorch = t.quality[t.quality.length - 1].valLoss;
      const target = Math.max(finalOurs, finalTorch);
      const oursSeconds = timeToLoss(oursPoints, target), torchSeconds = timeToLoss(t.quality, target);
      quality = {
        steps: o.qualitySteps, evalEvery: QUALITY_EVERY, targetValLoss: target,
        ours: { points: oursPoints, seconds: oursSeconds, finalValLoss: finalOurs, loadAverage: oursLoad },
        pytorch: { points: t.quality, seconds: torchSeconds, finalValLoss: finalTorch, loadAverage: torchLoad },
        speedup: oursSeconds && torchSeconds ? torchSeconds / oursSeconds : null,
      };
      log(`  time to quality: target validation loss ${target.toFixed(3)}; rnn-lab ${oursSeconds?.toFixed(1) ?? '—'} s (final ${finalOurs.toFixed(3)}, load ${oursLoad.toFixed(1)}), `
        + `pytorch ${torchSeconds?.toFixed(1) ?? '—'} s (final ${finalTorch.toFixed(3)}, load ${torchLoad.toFixed(1)})`);
      if (o.json) io.out(jsonLine({ type: 'quality', ...quality }));
    }

    // Medians over rounds, then ratios.
    const med = (side: Side, model: 'A' | 'B', key: 'trainTokPerSec' | 'sampleTokPerSec' | 'peakRssMB'): number | null => {
      const xs = results.filter((r) => r.side === side && r.model === model).map((r) => r[key]).filter((x): x is number => x !== null);
      return xs.length ? median(xs) : null;
    };
    // Ratios pair each rnn-lab run with the PyTorch run right after it (same machine load), then take the median.
    const pairedRatio = (side: Side, model: 'A' | 'B', key: 'trainTokPerSec' | 'sampleTokPerSec'): number | null => {
      const ratios: number[] = [];
      for (let round = 1; round <= o.rounds; round++) {
        const mine = results.find((r) => r.side === 'rnn-lab' && r.model === model && r.round === round)?.[key];
        const theirs = results.find((r) => r.side === side && r.model === model && r.round === round)?.[key];
        if (mine && theirs) ratios.push(mine / theirs);
      }
      return ratios.length ? median(ratios) : null;
    };
    const sideRow = (side: Side, model: 'A' | 'B') => ({ train: med(side, model, 'trainTokPerSec'), sample: med(side, model, 'sampleTokPerSec'), peakRssMB: med(side, model, 'peakRssMB') });
    const has = (side: Side) => pythons.some((p) => p.side === side);
    const rows = workloads.map((w) => ({
      model: w.name,
      ratios: { train: pairedRatio('pytorch', w.name, 'trainTokPerSec'), sample: pairedRatio('pytorch', w.name, 'sampleTokPerSec') },
      baselineRatios: has('baseline') ? { train: pairedRatio('baseline', w.name, 'trainTokPerSec'), sample: pairedRatio('baseline', w.name, 'sampleTokPerSec') } : null,
      ours: sideRow('rnn-lab', w.name),
      pytorch: has('pytorch') ? sideRow('pytorch', w.name) : null,
      baseline: has('baseline') ? sideRow('baseline', w.name) : null,
    }));
    const describe = (side: Side) => {
      const t = torchInfo[side];
      if (!t) return null;
      const b = t.backend;
      return { version: t.torch, threads: t.threads, blas: b.blas, blasInfo: b.blasInfo, onednn: b.onednn, cpuCapability: b.cpuCapability, models: torchRnn[side] ?? {}, libraries: b.blasLibraries };
    };
    /** "model A: LSTM on oneDNN v3.12 (fused RNN primitive); model B: GRU as per-step GEMMs (aten::addmm); GEMMs MKL 2024.2 (BLAS_INFO=mkl); CPU capability AVX2" */
    const backendLine = (side: Side) => {
      const b = torchInfo[side]!.backend;
      const models = Object.entries(torchRnn[side] ?? {}).map(([model, r]) => `model ${model}: ${r.rnn}`);
      return [...models, `GEMMs ${b.blas} (BLAS_INFO=${b.blasInfo})`, `CPU capability ${b.cpuCapability}`].join('; ');
    };
    if (o.json) {
      io.out(jsonLine({ type: 'summary', kernels: env.kernels, threads, pytorch: describe('pytorch'), baseline: describe('baseline'), rows,
        quality: quality && { targetValLoss: quality.targetValLoss, seconds: { ours: quality.ours.seconds, pytorch: quality.pytorch.seconds }, speedup: quality.speedup },
        loadAverage: { start: env.loadAverage, end: load() } }));
    } else {
      const name = (side: Side) => `PyTorch ${torchInfo[side]?.torch.split('+')[0] ?? side}`;
      const [ref, base] = [name('pytorch'), name('baseline')];
      const b = has('baseline');
      const lines = [
        '',
        `| model | rnn-lab train tok/s | ${ref} train tok/s | train ratio |${b ? ` ${base} train tok/s | ratio to ${base} |` : ''} rnn-lab sample tok/s | ${ref} sample tok/s | sample ratio |${b ? ` ${base} sample tok/s | ratio to ${base} |` : ''} rnn-lab peak RSS MB | ${ref} peak RSS MB |${b ? ` ${base} peak RSS MB |` : ''}`,
        `|${' --- |'.repeat(b ? 14 : 9)}`,
        ...rows.map((r) => `| ${r.model} | ${fmt(r.ours.train)} | ${fmt(r.pytorch?.train)} | ${times(r.ratios.train)} |${b ? ` ${fmt(r.baseline?.train)} | ${times(r.baselineRatios?.train)} |` : ''}`
          + ` ${fmt(r.ours.sample)} | ${fmt(r.pytorch?.sample)} | ${times(r.ratios.sample)} |${b ? ` ${fmt(r.baseline?.sample)} | ${times(r.baselineRatios?.sample)} |` : ''}`
          + ` ${fmt(r.ours.peakRssMB)} | ${fmt(r.pytorch?.peakRssMB)} |${b ? ` ${fmt(r.baseline?.peakRssMB)} |` : ''}`),
        '',
        `rnn-lab: ${env.kernels} kernels, training in a worker thread on ${threads} thread(s); medians of ${o.rounds} interleaved round(s); ratios are medians of per-round ratios; load average ${env.loadAverage.toFixed(1)} at the start, ${load().toFixed(1)} at the end.`,
        ...(['pytorch', 'baseline'] as const).filter((s) => torchInfo[s]).map((s) => `${name(s)} (${s === 'pytorch' ? 'reference' : 'baseline'}), ${torchInfo[s]!.threads} thread: ${backendLine(s)}.`),
        `Peak RSS of rnn-lab is the training process's (main thread + training worker; each round in a process of its own, as each PyTorch round).`,
        ...(quality ? [`Time to quality (model A, ${quality.steps} steps, validation loss every ${quality.evalEvery} on the held-out 1%): target ${quality.targetValLoss.toFixed(3)} nats; `
          + `rnn-lab ${quality.ours.seconds?.toFixed(1) ?? 'never'} s (final ${quality.ours.finalValLoss.toFixed(3)}), ${ref} ${quality.pytorch.seconds?.toFixed(1) ?? 'never'} s (final ${quality.pytorch.finalValLoss.toFixed(3)}): `
          + `${quality.speedup ? `rnn-lab ${quality.speedup.toFixed(2)}× as fast` : 'no ratio'}.`] : []),
      ];
      io.out(lines.join('\n') + '\n');
    }
    return 0;
  } catch (e) {
    io.err(`rnn-lab bench: ${(e as Error).message}\n`);
    return 1;
  } finally {
    if (!o.keep) fs.rmSync(dir, { recursive: true, force: true });
    else log(`kept ${dir}`);
  }
}
