// Opening a run for training: a new run (config, data, a fresh session, the run folder) or a resumed
// one (the snapshot config, the checkpoint's session, checked against the data); plus the run's status
// and metrics bookkeeping. The loop itself is in trainer.ts.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { decodeCheckpoint } from '../../engine/checkpoint';
import type { OptimizerConfig } from '../../engine/optim';
import { Rng } from '../../engine/rng';
import type { ScheduleConfig } from '../../engine/schedule';
import { createTrainingSession, restoreSession, type TrainingSession } from '../../engine/train-step';
import type { WorkerStart } from '../../protocol/worker';
import { readJsonLines, writeFileAtomic } from '../atomicFile';
import { loadConfig, parseConfig, type RnnConfig } from '../config';
import { modelSpecFor, prepareDataset, resolveTask, type Dataset } from '../dataset';
import { InputError, inputError } from '../errors';
import { checkMeta, type ModelMeta } from '../modelMeta';
import { RUN_FILES, readRunStatus, runFile, writeRunStatus, type MetricsLine, type RunStatusFile } from '../runStore';
import { SPECIAL_TOKENS } from '../tokenizer';
import { loadGloveVectors } from '../vectors';

/** Random streams of a run (the engine uses 0 for init, 1 for dropout). */
export const DATA_STREAM = 2;
export const SAMPLE_STREAM = 3;

/** What the checkpoint's `extra` holds besides the engine's session. */
export interface RunExtra {
  readonly meta: ModelMeta;
  readonly cursor: { lmPosition: number } | { order: number[]; next: number; epoch: number };
  readonly epoch: number;
  readonly bestValLoss: number | null;
  readonly evalsSinceBest: number;
  readonly startedAt: number;
  readonly bestStep?: number | null;   // the step model.onnx holds when there is validation data (absent in older checkpoints)
}

export interface OpenRun {
  readonly start: WorkerStart;
  readonly config: RnnConfig;
  readonly dataset: Dataset;
  readonly session: TrainingSession;
  readonly meta: ModelMeta;
  readonly totalSteps: number;
  readonly extra: RunExtra | null;   // from the checkpoint when resuming
  readonly notes?: readonly string[]; // for the user once training starts (e.g. how many words data.vectors had)
}

export async function openRun(start: WorkerStart, created: () => void): Promise<OpenRun> {
  const { runDir } = start;
  const snapshot = runFile(runDir, 'config');
  if (start.resume) {
    const checkpointFile = runFile(runDir, 'checkpoint');
    if (!fs.existsSync(checkpointFile)) throw inputError(runDir, `has no ${RUN_FILES.checkpoint} to resume from`);
    const checkpoint = readCheckpoint(checkpointFile);
    const config = loadConfig(snapshot);
    const extra = checkpoint.extra as RunExtra;
    const meta = checkMeta(extra?.meta, checkpointFile);
    const dataset = prepareDataset(config, meta.task);
    if (JSON.stringify(dataset.tokenizer.spec.vocab) !== JSON.stringify(meta.tokenizer.vocab) || JSON.stringify(dataset.labels) !== JSON.stringify(meta.labels)) {
      throw inputError(path.basename(config.data.train), 'its vocabulary or labels differ from the checkpoint\'s: the training data changed since the run started; start a new run');
    }
    const session = restoreSession(checkpoint);
    session.rngs.data ??= new Rng(config.training.seed, DATA_STREAM);
    const totalSteps = start.steps ?? config.training.steps;
    created();
    markStatus(runDir, { status: 'training', step: session.step, totalSteps, message: undefined });
    truncateMetrics(runDir, session.step);
    removeStaleTempFiles(runDir);
    const extended = trainingTo(totalSteps, config, meta, snapshot);
    return { start, config: extended.config, dataset, session, meta: extended.meta, totalSteps, extra };
  }

  if (fs.existsSync(runFile(runDir, 'checkpoint')) || fs.existsSync(runFile(runDir, 'status'))) {
    throw inputError(runDir, 'already holds a run; choose another output folder (or resume it)');
  }
  const loaded = start.configPath ? loadConfig(start.configPath, start.dataPath) : defaultConfig(start.dataPath);
  const config = withOverrides(loaded, start);
  const task = resolveTask(config);
  const dataset = prepareDataset(config, task);
  const spec = modelSpecFor(config, dataset, start.configPath ? path.basename(start.configPath) : 'config');
  const t = config.training;
  const session = createTrainingSession(spec, {
    optimizer: optimizerConfig(config), schedule: scheduleConfig(config),
    clipNorm: t.clipNorm, clipValue: t.clipValue, seed: t.seed,
    init: { recurrent: config.model.init === 'orthogonal' ? 'orthogonal' : 'uniform' },
  });
  session.rngs.data = new Rng(t.seed, DATA_STREAM);
  const notes: string[] = [];
  if (config.data.vectors) {
    const configName = start.configPath ? path.basename(start.configPath) : 'config';
    if (spec.embedding === 0) throw inputError(configName, '/data/vectors needs a trainable embedding, but /model/embedding is 0 (one-hot input): set model.embedding to the vectors\' width');
    notes.push(describeVectorsFound(config.data.vectors, loadGloveVectors(config.data.vectors, dataset.tokenizer, session.model.param('embedding'), spec.embedding), dataset.tokenizer.size - SPECIAL_TOKENS.length, config.data.lowercase));
  }
  const meta: ModelMeta = { task, tokenizer: dataset.tokenizer.spec, labels: dataset.labels, config: { ...config, task } };
  fs.mkdirSync(runDir, { recursive: true });
  created();
  writeSnapshot(snapshot, { ...config, task });
  const now = Date.now();
  writeRunStatus(runDir, { status: 'training', task, step: 0, totalSteps: t.steps, pid: process.pid, startedAt: now, updatedAt: now });
  return { start, config, dataset, session, meta, totalSteps: t.steps, extra: null, notes };
}

/** "glove.txt: 812 of 1,000 vocabulary words found (...)": the count loadGloveVectors returns, for the user. */
export function describeVectorsFound(file: string, found: number, vocabulary: number, lowercase: boolean): string {
  const name = path.basename(file);
  const n = (x: number) => x.toLocaleString('en-US');
  if (found === 0) {
    return `${name}: none of the ${n(vocabulary)} vocabulary words has a vector there, so the embedding starts random${lowercase ? '' : ' (GloVe\'s words are lowercase: try "lowercase": true in data)'}`;
  }
  return `${name}: ${n(found)} of ${n(vocabulary)} vocabulary words (${Math.round((100 * found) / vocabulary)}%) start from their vector; the others start random`;
}

function writeSnapshot(file: string, config: RnnConfig): void {
  writeFileAtomic(file, '// Snapshot of the config this run trains with (paths resolved).\n' + JSON.stringify(config, null, 2) + '\n');
}

/**
 * A resume with --steps trains to a new total: the snapshot and the model's metadata (rnnlab.config in
 * model.onnx) say the new training.steps, so a later resume and the exported model agree with run.json.
 */
function trainingTo(totalSteps: number, config: RnnConfig, meta: ModelMeta, snapshot: string): { config: RnnConfig; meta: ModelMeta } {
  if (totalSteps === config.training.steps) return { config, meta };
  const extended: RnnConfig = { ...config, task: meta.task, training: { ...config.training, steps: totalSteps } };
  writeSnapshot(snapshot, extended);
  return { config: extended, meta: { ...meta, config: extended } };
}

/** Without a config file: the schema's defaults, trained on `dataPath`. */
function defaultConfig(dataPath: string | undefined): RnnConfig {
  if (!dataPath) throw new InputError('nothing to train on: give a data file or a config');
  return parseConfig('{}', path.join(path.dirname(path.resolve(dataPath)), 'default.rnnconfig'), dataPath);
}

export function withOverrides(config: RnnConfig, start: WorkerStart): RnnConfig {
  const steps = start.steps ?? config.training.steps;
  const seed = start.seed ?? config.training.seed;
  if (!Number.isInteger(steps) || steps < 1) throw new InputError(`--steps must be a whole number ≥ 1; got ${steps}`);
  if (!Number.isInteger(seed)) throw new InputError(`--seed must be a whole number; got ${seed}`);
  return { ...config, training: { ...config.training, steps, seed } };
}

function optimizerConfig(c: RnnConfig): OptimizerConfig {
  const t = c.training;
  switch (t.optimizer) {
    case 'sgd': return { kind: 'sgd', momentum: t.momentum, nesterov: t.nesterov, weightDecay: t.weightDecay };
    case 'adam':
    case 'adamw': return { kind: t.optimizer, beta1: t.beta1, beta2: t.beta2, weightDecay: t.weightDecay };
    case 'rmsprop': return { kind: 'rmsprop', momentum: t.momentum, weightDecay: t.weightDecay };
    case 'adagrad': return { kind: 'adagrad', weightDecay: t.weightDecay };
  }
}

function scheduleConfig(c: RnnConfig): ScheduleConfig {
  const t = c.training;
  return {
    kind: t.schedule, baseLr: t.learningRate, warmupSteps: t.warmupSteps, stepSize: t.decayEvery, gamma: t.decayFactor,
    totalSteps: Math.max(t.steps, t.warmupSteps + 1), minLr: Math.min(t.minLearningRate, t.learningRate),
  };
}

function readCheckpoint(file: string) {
  try {
    return decodeCheckpoint(new Uint8Array(fs.readFileSync(file)), path.basename(file));
  } catch (e) {
    throw inputError(file, `cannot be read (${e instanceof Error ? e.message : String(e)}); expected a checkpoint written by RNN Lab`);
  }
}

export function markStatus(runDir: string, update: Partial<RunStatusFile>): void {
  const previous = readRunStatus(runDir);
  const now = Date.now();
  writeRunStatus(runDir, {
    task: '', step: 0, totalSteps: 0, startedAt: now, ...previous, status: 'training', ...update, pid: process.pid, updatedAt: now,
  } as RunStatusFile);
}

/** Temp files of writes a crash interrupted (writeFileAtomic names them .<file>.<pid>.<time>.tmp). */
export function removeStaleTempFiles(runDir: string): void {
  for (const name of fs.readdirSync(runDir)) if (/^\..+\.\d+\.[0-9a-z]+\.tmp$/.test(name)) fs.rmSync(path.join(runDir, name), { force: true });
}

/** On resume: metrics logged after the checkpoint (a crash) are dropped, so steps never repeat. */
export function truncateMetrics(runDir: string, step: number): void {
  const file = runFile(runDir, 'metrics');
  if (!fs.existsSync(file)) return;
  const kept = readJsonLines<MetricsLine>(file).filter((l) => l.step <= step);
  writeFileAtomic(file, kept.map((l) => JSON.stringify(l) + '\n').join(''));
}
