// Run folders (DESIGN.md §2): `<runsDir>/<yyyymmdd-hhmmss>-<name>/` with config.rnnconfig (snapshot),
// metrics.jsonl, samples.jsonl, checkpoint.bin, model.onnx, and run.json: the run's status, so the
// Runs view can tell training / stopped / finished / failed after a reload.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ModelTask, RunStatus, RunSummary } from '../protocol/api';
import { readJsonLines, writeFileAtomic } from './atomicFile';

export const RUN_FILES = {
  config: 'config.rnnconfig',
  metrics: 'metrics.jsonl',
  gradients: 'gradients.jsonl',       // ‖∂L/∂a<t>‖ windows (GradientsLine), what the dashboard's gradient charts draw
  samples: 'samples.jsonl',
  checkpoint: 'checkpoint.bin',
  model: 'model.onnx',
  encoder: 'encoder.onnx',           // seq2seq: the encoder and one decoder step, instead of model.onnx
  decoder: 'decoder.onnx',
  status: 'run.json',
  vectors: 'vectors.txt',             // embed: the word vectors, GloVe text format
  neighbors: 'neighbors.jsonl',       // embed: the probe words' neighbours while training
} as const;

/** One line of metrics.jsonl. */
export interface MetricsLine {
  readonly step: number;
  readonly epoch: number;
  readonly loss: number;
  readonly valLoss?: number;
  readonly tokensPerSec: number;
  readonly gradNorm?: number;        // absent for embed (word2vec's SGD forms no batch gradient)
  readonly lr: number;
  readonly time: number;             // ms since epoch
  readonly clipped?: boolean;        // the gradient was clipped at this step (every line)
  readonly valPerplexity?: number;   // lm, seq2seq: at evaluations, exp(valLoss)
  readonly valAccuracy?: number;     // tag, classify: at evaluations, share of tokens / lines right
  readonly valExactMatch?: number;   // seq2seq: at evaluations, share of greedy outputs equal to the target
  readonly valBleu?: number;         // seq2seq: at evaluations, corpus BLEU-4 (0..1)
}

/** One line of gradients.jsonl: ‖∂L/∂a<t>‖ for t = 1..T of the BPTT window of `step` (layer 0). */
export interface GradientsLine {
  readonly step: number;
  readonly norms: readonly number[];
  readonly clipped: boolean;
}

/** run.json */
export interface RunStatusFile {
  readonly status: RunStatus;
  readonly task: ModelTask;
  readonly step: number;
  readonly totalSteps: number;
  readonly loss?: number;
  readonly bestValLoss?: number;
  readonly bestStep?: number;        // the step of bestValLoss
  readonly modelStep?: number;       // the step whose weights model.onnx holds
  readonly pid: number;              // the process training it (the extension host or the CLI)
  readonly host?: string;            // the machine of pid, when another may write the folder (an exported PyTorch project's train.py)
  readonly startedAt: number;
  readonly updatedAt: number;
  readonly message?: string;         // why it failed or stopped
}

export function runFile(runDir: string, key: keyof typeof RUN_FILES): string {
  return path.join(runDir, RUN_FILES[key]);
}

/** A new, unused run folder name under runsDir: 20261126-101500-corpus (-2, -3 when taken). */
export function newRunDir(runsDir: string, name: string, now = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const stamp = `${now.getFullYear()}${pad(now.getMonth() + 1)}${pad(now.getDate())}-${pad(now.getHours())}${pad(now.getMinutes())}${pad(now.getSeconds())}`;
  const slug = name.replace(/\.[^.]*$/, '').replace(/[^\p{L}\p{N}_-]+/gu, '-').replace(/^-+|-+$/g, '') || 'run';
  let dir = path.join(runsDir, `${stamp}-${slug}`);
  for (let k = 2; fs.existsSync(dir); k++) dir = path.join(runsDir, `${stamp}-${slug}-${k}`);
  return dir;
}

export function writeRunStatus(runDir: string, status: RunStatusFile): void {
  writeFileAtomic(runFile(runDir, 'status'), JSON.stringify(status, null, 2) + '\n');
}

export function readRunStatus(runDir: string): RunStatusFile | undefined {
  try {
    return JSON.parse(fs.readFileSync(runFile(runDir, 'status'), 'utf8')) as RunStatusFile;
  } catch {
    return undefined;
  }
}

export const readMetrics = (runDir: string): MetricsLine[] => readJsonLines<MetricsLine>(runFile(runDir, 'metrics'));

/**
 * The status to show: a run recorded as training whose process is gone (editor reloaded, CLI
 * killed) is `stopped` when it left a checkpoint, else `failed`.
 */
export function effectiveStatus(runDir: string, s: RunStatusFile): RunStatus {
  // A process on another machine (a torchrun job writing to a shared disk) cannot be checked from here.
  if (s.status !== 'training' || (s.host !== undefined && s.host !== os.hostname()) || processAlive(s.pid)) return s.status;
  return fs.existsSync(runFile(runDir, 'checkpoint')) ? 'stopped' : 'failed';
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Every run under runsDir, newest first (folder names start with their time stamp). */
export function listRuns(runsDir: string): RunSummary[] {
  if (!fs.existsSync(runsDir)) return [];
  const runs: RunSummary[] = [];
  for (const entry of fs.readdirSync(runsDir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const dir = path.join(runsDir, entry.name);
    const s = readRunStatus(dir);
    if (!s) continue;
    runs.push({
      id: entry.name, dir, status: effectiveStatus(dir, s), task: s.task, step: s.step, loss: s.loss,
      bestValLoss: s.bestValLoss, bestStep: s.bestStep, modelStep: s.modelStep,
    });
  }
  return runs.sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
}
