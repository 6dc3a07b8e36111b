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
import type { Model } from '../../engine/model';
import { isSeq2SeqSpec } from '../../engine/modelKinds';
import { createSeq2SeqSession, restoreSeq2SeqSession, type Seq2SeqSession } from '../../engine/seq2seq/train';
import type { WorkerStart } from '../../protocol/worker';
import { asStorageError, isStorageError, readJsonLines, removeStaleTempFiles, writeFileAtomic } from '../atomicFile';
import { loadConfig, parseConfig, type RnnConfig } from '../config';
import { detectTaskWithReason, type Task } from '../formats';
import { modelSpecFor, prepareDataset, seq2seqSpecFor, type Dataset } from '../dataset';
import { InputError, inputError } from '../errors';
import { checkDataFiles, checkRegularFile } from '../inputFiles';
import { checkMeta, type ModelMeta } from '../modelMeta';
import { RUN_FILES, readRunStatus, runFile, writeRunStatus, type RunStatusFile } from '../runStore';
import { acquireRunLock } from '../runLock';
import { SPECIAL_TOKENS, type Tokenizer } from '../tokenizer';
import type { Vec } from '../../engine/tensor';
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

/** A run's session: a recurrent model (lm, tag, classify) or a seq2seq one. */
export type RunSession = TrainingSession<Model> | Seq2SeqSession;
export const isSeq2SeqSession = (s: RunSession): s is Seq2SeqSession => isSeq2SeqSpec(s.model.spec);

export interface OpenRun {
  readonly start: WorkerStart;
  readonly config: RnnConfig;
  readonly dataset: Dataset;
  readonly session: RunSession;
  readonly meta: ModelMeta;
  readonly totalSteps: number;
  readonly extra: RunExtra | null;   // from the checkpoint when resuming
  readonly notes?: readonly string[]; // for the user once training starts (e.g. how many words data.vectors had, which task "auto" chose)
}

export async function openRun(start: WorkerStart, created: () => void): Promise<OpenRun> {
  const { runDir } = start;
  const snapshot = runFile(runDir, 'config');
  if (start.resume) {
    const checkpointFile = runFile(runDir, 'checkpoint');
    if (!fs.existsSync(runDir)) throw inputError(runDir, 'no such run folder to resume');
    lockRunFolder(runDir);                 // first: a run still training has no checkpoint yet, perhaps
    if (!fs.existsSync(checkpointFile)) throw inputError(runDir, `has no ${RUN_FILES.checkpoint} to resume from`);
    const checkpoint = readCheckpoint(checkpointFile);
    const config = loadConfig(snapshot);
    checkDataFiles(config);
    const extra = checkpoint.extra as RunExtra;
    const meta = checkMeta(extra?.meta, checkpointFile);
    const dataset = prepareDataset(config, meta.task);
    const targetVocab = dataset.task === 'seq2seq' ? dataset.targetTokenizer.spec.vocab : undefined;
    if (JSON.stringify(dataset.tokenizer.spec.vocab) !== JSON.stringify(meta.tokenizer.vocab) || JSON.stringify(dataset.labels) !== JSON.stringify(meta.labels)
        || JSON.stringify(targetVocab) !== JSON.stringify(meta.targetTokenizer?.vocab)) {
      throw inputError(path.basename(config.data.train), 'its vocabulary or labels differ from the checkpoint\'s: the training data changed since the run started; start a new run');
    }
    const session: RunSession = isSeq2SeqSpec(checkpoint.spec) ? restoreSeq2SeqSession(checkpoint) : restoreSession(checkpoint);
    session.rngs.data ??= new Rng(config.training.seed, DATA_STREAM);
    const totalSteps = start.steps ?? config.training.steps;
    created();
    markStatus(runDir, { status: 'training', step: session.step, totalSteps, message: undefined });
    for (const log of ['metrics', 'samples', 'gradients'] as const) dropLinesAfter(runFile(runDir, log), session.step);
    const extended = trainingTo(totalSteps, config, meta, snapshot);
    return { start, config: extended.config, dataset, session, meta: extended.meta, totalSteps, extra };
  }

  const holdsRun = () => fs.existsSync(runFile(runDir, 'checkpoint')) || fs.existsSync(runFile(runDir, 'status'));
  if (holdsRun()) throw inputError(runDir, 'already holds a run; choose another output folder (or resume it)');
  if (start.dataPath) checkRegularFile(path.resolve(start.dataPath));       // named on the command line, not by a config field
  const loaded = start.configPath ? loadConfig(start.configPath, start.dataPath) : defaultConfig(start.dataPath);
  const config = withOverrides(loaded, start);
  checkDataFiles(config);
  const configName = start.configPath ? path.basename(start.configPath) : 'config';
  const notes: string[] = [];
  let task = config.task;
  if (!task) {
    const detected = detectTaskWithReason(config.data.train);
    task = detected.task;
    notes.push(`task "auto": ${path.basename(config.data.train)} has ${detected.reason}, so this trains a ${detected.task} model (set "task" in the config to choose)`);
  }
  checkTaskOnlyFields(config, task, configName);
  const dataset = prepareDataset(config, task);
  const t = config.training;
  const options = {
    optimizer: optimizerConfig(config), schedule: scheduleConfig(config),
    clipNorm: t.clipNorm, clipValue: t.clipValue, seed: t.seed,
    init: { recurrent: config.model.init === 'orthogonal' ? 'orthogonal' as const : 'uniform' as const, forgetBias: config.model.forgetBias },
  };
  let session: RunSession;
  // data.vectors: the words found start from their vectors (both sides of a seq2seq model).
  const startFromVectors = (tokenizer: Tokenizer, E: number, table: () => Vec) => {
    if (E === 0) throw inputError(configName, '/data/vectors needs a trainable embedding, but /model/embedding is 0 (one-hot input): set model.embedding to the vectors\' width');
    notes.push(describeVectorsFound(config.data.vectors, loadGloveVectors(config.data.vectors, tokenizer, table(), E), tokenizer.size - SPECIAL_TOKENS.length, config.data.lowercase));
  };
  if (dataset.task === 'seq2seq') {
    const spec = seq2seqSpecFor(config, dataset);
    const s2s = createSeq2SeqSession(spec, options);
    if (config.data.vectors) {
      startFromVectors(dataset.tokenizer, spec.embedding, () => s2s.model.param('encoder.embedding'));
      startFromVectors(dataset.targetTokenizer, spec.embedding, () => s2s.model.param('decoder.embedding'));
    }
    session = s2s;
  } else {
    const spec = modelSpecFor(config, dataset, configName);
    const recurrent = createTrainingSession(spec, options);
    if (config.data.vectors) startFromVectors(dataset.tokenizer, spec.embedding, () => recurrent.model.param('embedding'));
    session = recurrent;
  }
  session.rngs.data = new Rng(t.seed, DATA_STREAM);
  const meta: ModelMeta = {
    task, tokenizer: dataset.tokenizer.spec, labels: dataset.labels, config: { ...config, task },
    ...(dataset.task === 'seq2seq' ? { targetTokenizer: dataset.targetTokenizer.spec } : {}),
  };
  lockRunFolder(runDir, true);
  if (holdsRun()) throw inputError(runDir, 'already holds a run; choose another output folder (or resume it)');   // one started meanwhile
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

/**
 * seq2seq's fields on another task: the schema refuses them when "task" says so; when "auto" chose
 * the task, a value other than the default is refused here, in the same words.
 */
function checkTaskOnlyFields(config: RnnConfig, task: Task, configName: string): void {
  if (task === 'seq2seq') return;
  const set: [string, boolean][] = [
    ['/model/attention', config.model.attention !== 'additive'], ['/training/teacherForcing', config.training.teacherForcing !== 1],
    ['/sampling/beam', config.sampling.beam !== 4], ['/sampling/lengthPenalty', config.sampling.lengthPenalty !== 0.7],
    ['/sampling/maxLength', config.sampling.maxLength !== 100],
  ];
  const field = set.find(([, given]) => given);
  if (field) throw inputError(configName, `${field[0]} applies only to the seq2seq task, and the data makes this a ${task} model; remove it or set "task": "seq2seq"`);
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

/**
 * Makes (when asked) and locks the run folder for this run's writes (see runLock.ts), then clears
 * what interrupted writes left. A folder that cannot be written is said once, as bad input (exit 2).
 */
export function lockRunFolder(runDir: string, create = false): void {
  try {
    if (create) makeFolder(runDir);
    acquireRunLock(runDir);
    removeStaleTempFiles(runDir);
  } catch (e) {
    const refused = asStorageError(e, runDir);
    if (isStorageError(refused)) throw inputError(runDir, `cannot write the run folder here (${refused.reason}); choose another output folder`);
    throw e;
  }
}

/** mkdir -p that reports why it failed: a recursive mkdir says ENOENT on a read-only file system. */
function makeFolder(dir: string): void {
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    let existing = path.dirname(dir);
    while (!fs.existsSync(existing) && path.dirname(existing) !== existing) existing = path.dirname(existing);
    fs.accessSync(existing, fs.constants.W_OK);        // throws the real reason (EROFS, EACCES)
    throw e;
  }
}

/** On resume: lines logged after the checkpoint (a crash) are dropped, so steps never repeat. */
export function dropLinesAfter(file: string, step: number): void {
  if (!fs.existsSync(file)) return;
  const lines = readJsonLines<{ step?: number }>(file);
  const kept = lines.filter((l) => typeof l.step !== 'number' || l.step <= step);
  if (kept.length === lines.length && fs.readFileSync(file, 'utf8').endsWith('\n')) return;
  writeFileAtomic(file, kept.map((l) => JSON.stringify(l) + '\n').join(''));
}
