// `rnn-lab bench [--json]`: the issue-9 workloads through the real trainer (a training worker, as
// the extension runs it) and the real sampler, beside PyTorch (1 thread) run in the same session,
// interleaved round by round, with ratios. The corpus is generated (benchCorpus.ts), not downloaded.
//
// Workloads: char LM on 1,000,000 characters (V = 96), embedding 64, batch 32, sequence 64,
// Adam 2e-3, float32. A: 1-layer LSTM H=128. B: 2-layer GRU H=256. Train tok/s = batch×seq / median
// step time after warm-up; sample tok/s = N characters, batch 1, temperature 1, one step per token.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { activeWasmEngine, defaultThreads, useWasmKernels } from '../engine/wasm';
import { kernels } from '../engine/kernels';
import { Rng } from '../engine/rng';
import { sample } from '../engine/sampler';
import { loadModel } from '../pipeline/loadModel';
import { packageRoot } from '../pipeline/packageRoot';
import { readJsonLines } from '../pipeline/atomicFile';
import { runFile, type MetricsLine } from '../pipeline/runStore';
import { startTraining } from '../pipeline/training/trainingClient';
import { generateBenchCorpus } from './benchCorpus';
import { jsonLine, processIO, type CliIO } from './output';

const USAGE = `rnn-lab bench [--json] [--quick] [--models A,B] [--rounds R] [--steps-a N] [--steps-b N]
                [--sample N] [--threads 1|2] [--no-torch] [--python PATH] [--keep]
  Trains model A (1-layer LSTM 128) and B (2-layer GRU 256) as a char LM on a generated 1M-character
  text through the real trainer, samples N characters, and runs the same in PyTorch (1 thread).
  --threads: rnn-lab's GEMM threads (default: 2 when a core is free by the load average;
  RNN_LAB_THREADS pins it).`;

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
  keep: boolean;
  threads: 1 | 2 | null;
}

interface Measurement {
  readonly side: 'rnn-lab' | 'pytorch';
  readonly model: 'A' | 'B';
  readonly round: number;
  readonly trainTokPerSec: number;
  readonly sampleTokPerSec: number | null;
  readonly peakRssMB: number;
  readonly lastLoss: number;
}

function parseArgs(argv: readonly string[]): BenchOptions | string {
  const o: BenchOptions = { json: false, models: ['A', 'B'], rounds: 2, stepsA: 60, stepsB: 20, sampleLength: 2000, torch: true, python: '/usr/bin/python3', keep: false, threads: null };
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
      case '--quick': o.rounds = 1; o.stepsA = 15; o.stepsB = 6; o.sampleLength = 500; break;
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

/** The .rnnconfig of a workload: no clipping, evaluation and samples only at the end (as PyTorch's loop). */
function writeConfig(dir: string, w: ModelWorkload): string {
  const config = {
    name: `bench-${w.name}`,
    task: 'lm',
    data: { train: 'corpus.txt', validation: 0.01, tokenizer: 'char' },
    model: { cell: w.model.cell, hidden: w.model.hidden, layers: w.model.layers, bidirectional: false, embedding: 64, dropout: 0 },
    training: {
      optimizer: 'adam', learningRate: 0.002, batchSize: 32, sequenceLength: 64, steps: w.steps, clipNorm: 0, seed: 1,
      evalEvery: 10_000_000, checkpointEvery: 10_000_000, sampleEvery: 0,
    },
  };
  const file = path.join(dir, `bench-${w.name}.rnnconfig`);
  fs.writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

/** Trains through the training worker; step times from metrics.jsonl (one line per step). */
async function trainOurs(dir: string, w: ModelWorkload, round: number): Promise<{ tokPerSec: number; runDir: string; lastLoss: number }> {
  const runDir = path.join(dir, `run-${w.name}-${round}`);
  const handle = startTraining({ configPath: writeConfig(dir, w), runDir, resume: false });
  const outcome = await handle.outcome;
  if (outcome.type === 'error') throw new Error(`model ${w.name} training failed: ${outcome.message}`);
  const lines = readJsonLines<MetricsLine>(runFile(runDir, 'metrics'));
  // Intervals between consecutive steps after warm-up; the last step also evaluates, so it is left out.
  const intervals: number[] = [];
  for (let i = Math.max(1, w.warmup); i < lines.length - 1; i++) intervals.push(lines[i].time - lines[i - 1].time);
  if (intervals.length === 0) throw new Error(`model ${w.name}: too few steps logged (${lines.length}) to time`);
  return { tokPerSec: (32 * 64) / (median(intervals) / 1000), runDir, lastLoss: lines[lines.length - 1].loss };
}

/** N characters from the trained run, batch 1, temperature 1, through the engine's sampler. */
function sampleOurs(runDir: string, length: number): number | null {
  if (length === 0) return null;
  const loaded = loadModel(runDir, 'engine');
  try {
    const prime = loaded.tokenizer ? loaded.tokenizer.primeIds('') : [0];
    sample(loaded.stepper, { prime, length: 50, temperature: 1, rng: new Rng(2) }); // warm-up
    const began = performance.now();
    const ids = sample(loaded.stepper, { prime, length, temperature: 1, rng: new Rng(1) });
    return ids.length / ((performance.now() - began) / 1000);
  } finally {
    loaded.dispose();
  }
}

interface TorchResult {
  trainTokPerSec: number; sampleTokPerSec: number | null; peakRssMB: number; lastLoss: number;
  blas: string; blasLibraries: string[]; torch: string; threads: number;
}

function runTorch(o: BenchOptions, corpus: string, w: ModelWorkload): TorchResult {
  const script = path.join(packageRoot(), 'scripts', 'bench', 'torch_bench.py');
  const r = spawnSync(o.python, [script, '--corpus', corpus, '--model', w.name, '--steps', String(w.steps), '--warmup', String(w.warmup), '--sample', String(o.sampleLength)], {
    encoding: 'utf8',
    env: { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1', OMP_WAIT_POLICY: 'PASSIVE' },
    maxBuffer: 16 << 20,
  });
  if (r.status !== 0) throw new Error(`PyTorch run for model ${w.name} failed (${o.python} ${script}): ${(r.stderr || String(r.error)).trim().split('\n').pop()}`);
  return JSON.parse(r.stdout.trim().split('\n').pop() ?? '') as TorchResult;
}

/** Does this python import torch? (the PyTorch side is skipped, with a note, when it does not) */
function torchAvailable(python: string): boolean {
  const r = spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8' });
  return r.status === 0;
}

const fmt = (x: number | null | undefined): string => (x === null || x === undefined ? '—' : Math.round(x).toLocaleString('en-US'));
const times = (x: number | null): string => (x ? `${x.toFixed(2)}×` : '—');

export async function runBench(argv: readonly string[], io: CliIO = processIO): Promise<number> {
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
  // The training worker reads RNN_LAB_THREADS when it installs the kernels (src/engine/wasm/index.ts).
  if (o.threads) process.env.RNN_LAB_THREADS = String(o.threads);
  useWasmKernels({ threads: 1 }); // this thread only samples (batch 1: nothing to split)
  const workloads: ModelWorkload[] = [
    { name: 'A' as const, label: 'A: LSTM 1×128', model: { cell: 'lstm' as const, hidden: 128, layers: 1 }, steps: o.stepsA, warmup: Math.min(5, Math.floor(o.stepsA / 3)) },
    { name: 'B' as const, label: 'B: GRU 2×256', model: { cell: 'gru' as const, hidden: 256, layers: 2 }, steps: o.stepsB, warmup: Math.min(3, Math.floor(o.stepsB / 3)) },
  ].filter((w) => o.models.includes(w.name));

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rnn-lab-bench-'));
  try {
    const corpus = path.join(dir, 'corpus.txt');
    fs.writeFileSync(corpus, generateBenchCorpus());
    const withTorch = o.torch && torchAvailable(o.python);
    if (o.torch && !withTorch) log(`PyTorch side skipped: ${o.python} cannot import torch`);
    const threads = o.threads ?? defaultThreads();
    const env = {
      kernels: activeWasmEngine()?.kernels.name ?? kernels.name, trainingThreads: threads, cpus: os.cpus().length, cpu: os.cpus()[0]?.model ?? '?',
      node: process.version, loadAverage: os.loadavg()[0],
    };
    log(`rnn-lab bench: kernels ${env.kernels}, training on ${threads} thread(s), ${env.cpus} cores (${env.cpu}), Node ${env.node}, load average ${env.loadAverage.toFixed(1)}`);
    if (o.json) io.out(jsonLine({ type: 'environment', ...env }));

    const results: Measurement[] = [];
    let torchInfo: TorchResult | null = null;
    for (const w of workloads) {
      for (let round = 1; round <= o.rounds; round++) {
        const ours = await trainOurs(dir, w, round);
        const rss = process.resourceUsage().maxRSS / 1024;
        const oursSample = sampleOurs(ours.runDir, o.sampleLength);
        const mine: Measurement = { side: 'rnn-lab', model: w.name, round, trainTokPerSec: ours.tokPerSec, sampleTokPerSec: oursSample, peakRssMB: rss, lastLoss: ours.lastLoss };
        results.push(mine);
        log(`  ${w.label} round ${round}: rnn-lab train ${fmt(mine.trainTokPerSec)} tok/s, sample ${fmt(mine.sampleTokPerSec)} tok/s, peak RSS ${rss.toFixed(0)} MB, loss ${mine.lastLoss.toFixed(3)}`);
        if (o.json) io.out(jsonLine({ type: 'measurement', ...mine }));
        if (withTorch) {
          const t = runTorch(o, corpus, w);
          torchInfo = t;
          const theirs: Measurement = { side: 'pytorch', model: w.name, round, trainTokPerSec: t.trainTokPerSec, sampleTokPerSec: t.sampleTokPerSec, peakRssMB: t.peakRssMB, lastLoss: t.lastLoss };
          results.push(theirs);
          log(`  ${w.label} round ${round}: pytorch train ${fmt(t.trainTokPerSec)} tok/s, sample ${fmt(t.sampleTokPerSec)} tok/s, peak RSS ${t.peakRssMB.toFixed(0)} MB, loss ${t.lastLoss.toFixed(3)}`);
          if (o.json) io.out(jsonLine({ type: 'measurement', ...theirs }));
        }
      }
    }

    // Medians over rounds, then ratios.
    const med = (side: Measurement['side'], model: 'A' | 'B', key: 'trainTokPerSec' | 'sampleTokPerSec' | 'peakRssMB'): number | null => {
      const xs = results.filter((r) => r.side === side && r.model === model).map((r) => r[key]).filter((x): x is number => x !== null);
      return xs.length ? median(xs) : null;
    };
    // Ratios pair each rnn-lab run with the PyTorch run right after it (same machine load), then take the median.
    const pairedRatio = (model: 'A' | 'B', key: 'trainTokPerSec' | 'sampleTokPerSec'): number | null => {
      const ratios: number[] = [];
      for (let round = 1; round <= o.rounds; round++) {
        const mine = results.find((r) => r.side === 'rnn-lab' && r.model === model && r.round === round)?.[key];
        const theirs = results.find((r) => r.side === 'pytorch' && r.model === model && r.round === round)?.[key];
        if (mine && theirs) ratios.push(mine / theirs);
      }
      return ratios.length ? median(ratios) : null;
    };
    const rows = workloads.map((w) => ({
      model: w.name,
      ratios: { train: pairedRatio(w.name, 'trainTokPerSec'), sample: pairedRatio(w.name, 'sampleTokPerSec') },
      ours: { train: med('rnn-lab', w.name, 'trainTokPerSec'), sample: med('rnn-lab', w.name, 'sampleTokPerSec'), peakRssMB: med('rnn-lab', w.name, 'peakRssMB') },
      pytorch: withTorch ? { train: med('pytorch', w.name, 'trainTokPerSec'), sample: med('pytorch', w.name, 'sampleTokPerSec'), peakRssMB: med('pytorch', w.name, 'peakRssMB') } : null,
    }));
    const torchDesc = torchInfo ? `PyTorch ${torchInfo.torch}, ${torchInfo.threads} thread, BLAS: ${torchInfo.blas} (${torchInfo.blasLibraries.join(', ') || 'none'})` : 'PyTorch: not run';
    if (o.json) {
      io.out(jsonLine({ type: 'summary', kernels: env.kernels, pytorch: torchInfo ? { version: torchInfo.torch, threads: torchInfo.threads, blas: torchInfo.blas, libraries: torchInfo.blasLibraries } : null, rows }));
    } else {
      const lines = [
        '',
        `| model | rnn-lab train tok/s | PyTorch train tok/s | train ratio | rnn-lab sample tok/s | PyTorch sample tok/s | sample ratio | rnn-lab peak RSS MB | PyTorch peak RSS MB |`,
        '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
        ...rows.map((r) => `| ${r.model} | ${fmt(r.ours.train)} | ${fmt(r.pytorch?.train)} | ${times(r.ratios.train)} | ${fmt(r.ours.sample)} | ${fmt(r.pytorch?.sample)} | ${times(r.ratios.sample)} | ${fmt(r.ours.peakRssMB)} | ${fmt(r.pytorch?.peakRssMB)} |`),
        '',
        `rnn-lab: ${env.kernels} kernels, training in a worker thread (GEMMs on ${threads} thread(s)); ${torchDesc}; medians of ${o.rounds} interleaved round(s); ratios are medians of per-round ratios.`,
        `Peak RSS of rnn-lab is the whole bench process (main thread + training worker) after that model's training.`,
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
