// The training loop of one run, as the worker runs it: prepare data, create or resume the session,
// step, evaluate, sample, checkpoint, write the run folder, report typed messages. No worker_threads
// here (see worker.ts), so tests and the CLI can drive it through the same TrainerIO.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { decodeCheckpoint, encodeCheckpoint } from '../engine/checkpoint';
import { Rng } from '../engine/rng';
import { modelStepper, sample } from '../engine/sampler';
import type { OptimizerConfig } from '../engine/optim';
import type { ScheduleConfig } from '../engine/schedule';
import { paramCount } from '../engine/spec';
import { createTrainingSession, restoreSession, snapshotSession, trainStep, type StepMetrics, type StepTargets, type TrainingSession } from '../engine/train-step';
import { exportModel } from '../onnx/export';
import type { HostToWorker, ProgressReport, WorkerStart, WorkerToHost } from '../protocol/worker';
import { LmWindows, SequenceBatches, type SequenceBatch } from './batching';
import { appendJsonLine, readJsonLines, writeFileAtomic } from './atomicFile';
import { loadConfig, parseConfig, type RnnConfig } from './config';
import { modelSpecFor, prepareDataset, resolveTask, type Dataset } from './dataset';
import { InputError, inputError, isInputError } from './errors';
import { evaluateLm, evaluateSequences, oneHot, type Evaluation } from './evaluate';
import { checkMeta, toOnnxMetadata, type ModelMeta } from './modelMeta';
import { RUN_FILES, readRunStatus, runFile, writeRunStatus, type MetricsLine, type RunStatusFile } from './runStore';
import type { Tokenizer } from './tokenizer';
import { loadGloveVectors } from './vectors';

export interface TrainerIO {
  post(message: WorkerToHost): void;
  /** Messages from the host that arrived since the last call (stop, sample on demand). */
  takeRequests(): HostToWorker[];
  /** Lets the event loop run (messages arrive) between steps. */
  pause(): Promise<void>;
}

/** Random streams of a run (the engine uses 0 for init, 1 for dropout). */
const DATA_STREAM = 2;
const SAMPLE_STREAM = 3;
const TRAINING_SAMPLE_LENGTH = 200;
const PROGRESS_INTERVAL_MS = 100;

/** What the checkpoint's `extra` holds besides the engine's session. */
interface RunExtra {
  readonly meta: ModelMeta;
  readonly cursor: { lmPosition: number } | { order: number[]; next: number; epoch: number };
  readonly epoch: number;
  readonly bestValLoss: number | null;
  readonly evalsSinceBest: number;
  readonly startedAt: number;
}

/** Runs training to its end (finished, stopped, early-stopped, failed); never throws. */
export async function runTraining(start: WorkerStart, io: TrainerIO): Promise<void> {
  let runCreated = false;
  try {
    const run = await openRun(start, () => { runCreated = true; });
    await trainLoop(run, io);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    if (runCreated) markStatus(start.runDir, { status: 'failed', message });
    io.post({ type: 'error', message, badInput: isInputError(e) });
  }
}

interface OpenRun {
  readonly start: WorkerStart;
  readonly config: RnnConfig;
  readonly dataset: Dataset;
  readonly session: TrainingSession;
  readonly meta: ModelMeta;
  readonly totalSteps: number;
  readonly extra: RunExtra | null;   // from the checkpoint when resuming
}

async function openRun(start: WorkerStart, created: () => void): Promise<OpenRun> {
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
    return { start, config, dataset, session, meta, totalSteps, extra };
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
  if (config.data.vectors) loadGloveVectors(config.data.vectors, dataset.tokenizer, session.model.param('embedding'), spec.embedding);
  const meta: ModelMeta = { task, tokenizer: dataset.tokenizer.spec, labels: dataset.labels, config: { ...config, task } };
  fs.mkdirSync(runDir, { recursive: true });
  created();
  writeFileAtomic(runFile(runDir, 'config'), '// Snapshot of the config this run trains with (paths resolved).\n' + JSON.stringify({ ...config, task }, null, 2) + '\n');
  const now = Date.now();
  writeRunStatus(runDir, { status: 'training', task, step: 0, totalSteps: t.steps, pid: process.pid, startedAt: now, updatedAt: now });
  return { start, config, dataset, session, meta, totalSteps: t.steps, extra: null };
}

/** Without a config file: the schema's defaults, trained on `dataPath`. */
function defaultConfig(dataPath: string | undefined): RnnConfig {
  if (!dataPath) throw new InputError('nothing to train on: give a data file or a config');
  return parseConfig('{}', path.join(path.dirname(path.resolve(dataPath)), 'default.rnnconfig'), dataPath);
}

function withOverrides(config: RnnConfig, start: WorkerStart): RnnConfig {
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

/** The data feed of one task: next training batch + its targets, and the cursor for checkpoints. */
interface Feed {
  next(): { batch: { tokens: Int32Array; T: number; B: number; lengths?: Int32Array }; targets: StepTargets; carry: boolean; tokens: number; epochEnded: boolean };
  cursor(): RunExtra['cursor'];
  evaluate(): Evaluation | null;
}

function createFeed(run: OpenRun): Feed {
  const { dataset, config, session } = run;
  const { batchSize, sequenceLength } = config.training;
  const model = session.model;
  if (dataset.task === 'lm') {
    const windows = new LmWindows(dataset.train, batchSize, sequenceLength);
    const saved = run.extra?.cursor;
    if (saved && 'lmPosition' in saved) windows.position = saved.lmPosition;
    const validation = dataset.validation;
    return {
      next() {
        const { window, epochEnded } = windows.nextWindow();
        // A new epoch starts the streams from a zero state.
        if (window.resetState) session.carried = null;
        return { batch: window, targets: { kind: 'softmax', targets: window.targets }, carry: true, tokens: window.T * window.B, epochEnded };
      },
      cursor: () => ({ lmPosition: windows.position }),
      evaluate: () => (validation && validation.length >= 2 ? evaluateLm(model, validation, batchSize, sequenceLength) : null),
    };
  }
  const batches = new SequenceBatches(dataset.train, batchSize, session.rngs.data);
  const saved = run.extra?.cursor;
  if (saved && 'order' in saved) batches.cursor = saved;
  const sigmoid = model.spec.head === 'sigmoid';
  const targetsOf = (b: SequenceBatch): StepTargets => dataset.task === 'classify'
    ? { kind: 'sequence', labels: b.classTargets }
    : sigmoid ? { kind: 'sigmoid', targets: oneHot(b.tokenTargets, model.spec.outputs) } : { kind: 'softmax', targets: b.tokenTargets };
  return {
    next() {
      const { batch, epochEnded } = batches.nextBatch();
      return { batch, targets: targetsOf(batch), carry: false, tokens: batch.lengths.reduce((a, n) => a + n, 0), epochEnded };
    },
    cursor: () => batches.cursor,
    evaluate: () => (dataset.validation.length > 0 ? evaluateSequences(model, dataset.validation, batchSize) : null),
  };
}

async function trainLoop(run: OpenRun, io: TrainerIO): Promise<void> {
  const { start, config, session, meta, totalSteps, dataset } = run;
  const { runDir } = start;
  const t = config.training;
  const feed = createFeed(run);
  const tokenizer = dataset.tokenizer;
  let epoch = run.extra?.epoch ?? 0;
  let bestValLoss = run.extra?.bestValLoss ?? null;
  let evalsSinceBest = run.extra?.evalsSinceBest ?? 0;
  const startedAt = run.extra?.startedAt ?? Date.now();
  let checkpointStep: number | null = run.extra ? session.step : null;
  io.post({ type: 'started', runDir, totalSteps, task: meta.task, paramCount: paramCount(session.model.spec) });

  const extra = (): RunExtra => ({ meta, cursor: feed.cursor(), epoch, bestValLoss, evalsSinceBest, startedAt });
  const checkpoint = () => {
    writeFileAtomic(runFile(runDir, 'checkpoint'), encodeCheckpoint(snapshotSession(session, extra())));
    // model.onnx beside it: the same weights as standard ONNX with the vocabulary and task (ort backend, Netron, PyTorch).
    const { spec, params } = session.model;
    writeFileAtomic(runFile(runDir, 'model'), exportModel(spec, params instanceof Float32Array ? params : Float32Array.from(params), toOnnxMetadata(meta)));
    checkpointStep = session.step;
    io.post({ type: 'checkpoint', step: session.step, path: runFile(runDir, 'checkpoint') });
  };
  const finish = (reason: 'finished' | 'stopped' | 'early-stopped', last?: StepMetrics) => {
    checkpoint();
    markStatus(runDir, { status: reason === 'stopped' ? 'stopped' : 'finished', step: session.step, totalSteps, loss: last?.loss, bestValLoss: bestValLoss ?? undefined });
    io.post({ type: 'done', reason, step: session.step, bestValLoss: bestValLoss ?? undefined });
  };

  const logEvery = Math.max(1, Math.round(totalSteps / 5000));
  let lastProgress = 0, smoothedStepMs = 0, lastMetrics: StepMetrics | undefined;
  if (session.step >= totalSteps) return finish('finished');
  while (session.step < totalSteps) {
    for (const request of io.takeRequests()) {
      switch (request.type) {
        case 'stop': return finish('stopped', lastMetrics);
        case 'sample': io.post({ type: 'sample', step: session.step, text: sampleText(run, tokenizer, request.prime, request.length, request.temperature) }); break;
      }
    }
    const began = performance.now();
    const next = feed.next();
    const m = trainStep(session, next.batch, next.targets, next.carry);
    const stepMs = performance.now() - began;
    if (next.epochEnded) epoch++;
    if (!Number.isFinite(m.loss) || !Number.isFinite(m.gradNorm)) {
      const what = Number.isFinite(m.loss) ? `the gradient norm became ${m.gradNorm}` : `the loss became ${m.loss}`;
      const message = `training diverged at step ${m.step + 1}: ${what}. Lower training.learningRate (now ${t.learningRate}, try ${t.learningRate / 10})`
        + (t.clipNorm > 0 ? ` or training.clipNorm (now ${t.clipNorm})` : ', and set training.clipNorm (e.g. 1) to clip exploding gradients')
        + (checkpointStep === null ? '; nothing was saved.' : `; the checkpoint of step ${checkpointStep} was kept.`);
      markStatus(runDir, { status: 'failed', step: m.step, totalSteps, message });
      io.post({ type: 'error', message, badInput: false });
      return;
    }
    lastMetrics = m;
    smoothedStepMs = smoothedStepMs === 0 ? stepMs : 0.9 * smoothedStepMs + 0.1 * stepMs;
    const step = session.step;   // updates done, 1-based for people
    const isLast = step === totalSteps;
    let valLoss: number | undefined, valAccuracy: number | undefined;
    if (step % t.evalEvery === 0 || isLast) {
      const ev = feed.evaluate();
      if (ev) {
        valLoss = ev.loss;
        valAccuracy = ev.accuracy;
        if (bestValLoss === null || ev.loss < bestValLoss) { bestValLoss = ev.loss; evalsSinceBest = 0; } else evalsSinceBest++;
      }
    }
    const now = Date.now();
    const tokensPerSec = next.tokens / (smoothedStepMs / 1000);
    if (step % logEvery === 0 || valLoss !== undefined || isLast) {
      const line: MetricsLine & { valAccuracy?: number } = { step, epoch, loss: m.loss, valLoss, tokensPerSec, gradNorm: m.gradNorm, lr: m.lr, time: now, valAccuracy };
      appendJsonLine(runFile(runDir, 'metrics'), line);
    }
    if (now - lastProgress >= PROGRESS_INTERVAL_MS || valLoss !== undefined || isLast) {
      lastProgress = now;
      const progress: ProgressReport = {
        step, totalSteps, epoch, loss: m.loss, valLoss, tokensPerSec, etaSec: ((totalSteps - step) * smoothedStepMs) / 1000,
        lr: m.lr, gradNorm: m.gradNorm, layerGradNorms: m.groupNorms.map((g) => g.norm), clipRate: session.clipCounter.rate,
        clipped: m.clipped, dLda: Array.from(m.dLda), time: now,
      };
      io.post({ type: 'progress', progress });
      markStatus(runDir, { status: 'training', step, totalSteps, loss: m.loss, bestValLoss: bestValLoss ?? undefined });
    }
    if (meta.task === 'lm' && (step % t.sampleEvery === 0 || isLast)) {
      const text = sampleText(run, tokenizer, config.sampling.prime, Math.min(config.sampling.length, TRAINING_SAMPLE_LENGTH), config.sampling.temperature, step);
      appendJsonLine(runFile(runDir, 'samples'), { step, text, time: now });
      io.post({ type: 'sample', step, text });
    }
    if (t.earlyStoppingPatience > 0 && evalsSinceBest >= t.earlyStoppingPatience) return finish('early-stopped', m);
    if (step % t.checkpointEvery === 0 && !isLast) checkpoint();
    await io.pause();
  }
  finish('finished', lastMetrics);
}

/** A sample from the model as it is now; its own random stream, so training is not disturbed. */
function sampleText(run: OpenRun, tokenizer: Tokenizer, prime: string, length: number, temperature: number, seedOffset = 0): string {
  if (run.meta.task !== 'lm') return '';
  const primeIds = tokenizer.primeIds(prime);
  const ids = sample(modelStepper(run.session.model), {
    prime: primeIds, length, temperature, topK: run.config.sampling.topK, topP: run.config.sampling.topP,
    rng: new Rng(run.config.training.seed + seedOffset, SAMPLE_STREAM),
  });
  let text = prime;
  for (const id of ids) text = tokenizer.appendDecoded(text, id);
  return text;
}

function markStatus(runDir: string, update: Partial<RunStatusFile>): void {
  const previous = readRunStatus(runDir);
  const now = Date.now();
  writeRunStatus(runDir, {
    task: '', step: 0, totalSteps: 0, startedAt: now, ...previous, status: 'training', ...update, pid: process.pid, updatedAt: now,
  } as RunStatusFile);
}

/** Temp files of writes a crash interrupted (writeFileAtomic names them .<file>.<pid>.<time>.tmp). */
function removeStaleTempFiles(runDir: string): void {
  for (const name of fs.readdirSync(runDir)) if (/^\..+\.\d+\.[0-9a-z]+\.tmp$/.test(name)) fs.rmSync(path.join(runDir, name), { force: true });
}

/** On resume: metrics logged after the checkpoint (a crash) are dropped, so steps never repeat. */
function truncateMetrics(runDir: string, step: number): void {
  const file = runFile(runDir, 'metrics');
  if (!fs.existsSync(file)) return;
  const kept = readJsonLines<MetricsLine>(file).filter((l) => l.step <= step);
  writeFileAtomic(file, kept.map((l) => JSON.stringify(l) + '\n').join(''));
}
