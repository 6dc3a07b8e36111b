// The training loop of one run, as the worker runs it: step, evaluate, sample, checkpoint, append
// metrics, report typed messages. No worker_threads here (see trainingWorker.ts), so tests can drive it
// through the same TrainerIO; opening the run is runSetup.ts, the data feed feed.ts.
import * as fs from 'node:fs';
import { decodeCheckpoint, encodeCheckpoint } from '../../engine/checkpoint';
import { Rng } from '../../engine/rng';
import { modelStepper, sample } from '../../engine/sampler';
import { isSeq2SeqSpec } from '../../engine/modelKinds';
import { snapshotSession, type StepMetrics } from '../../engine/train-step';
import { exportModel } from '../../onnx/export';
import type { ProgressReport, WorkerStart } from '../../protocol/worker';
import { appendJsonLine, isStorageError, writeFileAtomic } from '../atomicFile';
import { isInputError } from '../errors';
import { isEmbedStart, trainEmbedding } from './embedTrainer';
import type { TrainerIO } from './trainerIO';
import { createFeed } from './feed';
import { faultLocation } from './faultLocation';
import { toOnnxMetadata, type ModelMeta } from '../modelMeta';
import { writeSeq2SeqFiles } from '../seq2seq/model';
import { settingsWithoutEffect } from './settingsCheck';
import { RUN_FILES, runFile, type GradientsLine, type MetricsLine } from '../runStore';
import { releaseRunLock } from '../runLock';
import { SAMPLE_STREAM, isSeq2SeqSession, markStatus, openRun, type OpenRun, type RunExtra, type RunSession } from './runSetup';
import { NON_TEXT_TOKENS, type Tokenizer } from '../tokenizer';

const TRAINING_SAMPLE_LENGTH = 200;
const PROGRESS_INTERVAL_MS = 100;
/** run.json is rewritten (atomically, with fsync) at most this often while training. */
const STATUS_INTERVAL_MS = 2000;

/** Runs training to its end (finished, stopped, early-stopped, failed); never throws. */
export async function runTraining(start: WorkerStart, io: TrainerIO): Promise<void> {
  let runCreated = false;
  try {
    if (isEmbedStart(start)) return await trainEmbedding(start, io, () => { runCreated = true; });
    const run = await openRun(start, () => { runCreated = true; });
    await trainLoop(run, io);
  } catch (e) {
    const message = failureMessage(e, start.runDir);
    if (runCreated) {
      try { markStatus(start.runDir, { status: 'failed', message }); } catch { /* the disk refuses even run.json: the message still goes out */ }
    }
    io.post({ type: 'error', message, badInput: isInputError(e), at: faultLocation(message, start) });
  } finally {
    releaseRunLock(start.runDir);
  }
}

/**
 * A refused write says what is kept, read back from disk ("disk full writing …/checkpoint.bin: the
 * previous checkpoint at step 400 is kept").
 */
function failureMessage(e: unknown, runDir: string): string {
  const message = e instanceof Error ? e.message : String(e);
  if (!isStorageError(e)) return message;
  let step: number | null = null;
  try {
    step = decodeCheckpoint(new Uint8Array(fs.readFileSync(runFile(runDir, 'checkpoint'))), RUN_FILES.checkpoint).step;
  } catch { /* none, or unreadable */ }
  if (step === null) return `${message}: no checkpoint was saved yet`;
  const which = e.file.endsWith(RUN_FILES.checkpoint) ? 'the previous checkpoint' : 'the checkpoint';
  return `${message}: ${which} at step ${step} is kept; resume the run once the disk can take it`;
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
  let bestStep = run.extra?.bestStep ?? null;
  const startedAt = run.extra?.startedAt ?? Date.now();
  let checkpointStep: number | null = run.extra ? session.step : null;
  io.post({ type: 'started', runDir, totalSteps, task: meta.task, paramCount: session.model.params.length });
  for (const message of run.notes ?? []) io.post({ type: 'note', message });
  // Settings this run's data leaves without effect: said once, as warnings.
  for (const message of settingsWithoutEffect(config, dataset)) io.post({ type: 'note', message, warning: true });

  const extra = (): RunExtra => ({ meta, cursor: feed.cursor(), epoch, bestValLoss, evalsSinceBest, startedAt, bestStep });
  // model.onnx (seq2seq: encoder.onnx + decoder.onnx): the weights as standard ONNX with the vocabulary
  // and task (inference, ort, Netron, PyTorch). With validation data it is the best model so far
  // (written at each new best), else the latest.
  const saveModel = () => {
    writeModelFiles(runDir, session, meta, session.step);
    markStatus(runDir, { modelStep: session.step, bestStep: bestStep ?? undefined, bestValLoss: bestValLoss ?? undefined });
  };
  // checkpoint.bin: always the latest state, for resume.
  const checkpoint = () => {
    writeFileAtomic(runFile(runDir, 'checkpoint'), encodeCheckpoint(snapshotSession(session, extra())));
    if (bestStep === null) saveModel();
    checkpointStep = session.step;
    io.post({ type: 'checkpoint', step: session.step, path: runFile(runDir, 'checkpoint') });
  };
  // The latest step's metrics line, progress report and gradient window when the rates below skipped
  // them: a run that stops between two reports still ends with its last step on disk and on screen.
  let unlogged: MetricsLine | undefined, unreported: ProgressReport | undefined, unsavedWindow: GradientsLine | undefined;
  const finish = (reason: 'finished' | 'stopped' | 'early-stopped', last?: StepMetrics) => {
    if (unlogged) appendJsonLine(runFile(runDir, 'metrics'), unlogged);
    if (unsavedWindow) appendJsonLine(runFile(runDir, 'gradients'), unsavedWindow);
    if (unreported) io.post({ type: 'progress', progress: unreported });
    unlogged = unreported = unsavedWindow = undefined;
    checkpoint();
    markStatus(runDir, { status: reason, step: session.step, totalSteps, loss: last?.loss, bestValLoss: bestValLoss ?? undefined, bestStep: bestStep ?? undefined });
    io.post({ type: 'done', reason, step: session.step, bestValLoss: bestValLoss ?? undefined, bestStep: bestStep ?? undefined });
  };

  // metrics.jsonl keeps about 5000 lines a run, and at least one a second when steps are slow.
  const logEvery = Math.max(1, Math.round(totalSteps / 5000));
  // gradients.jsonl keeps about 2000 windows a run (~1 MB at T = 64): every step of a short run.
  const gradientsEvery = Math.max(1, Math.round(totalSteps / 2000));
  let lastLogged = 0;
  let lastProgress = 0, lastStatus = Date.now(), smoothedStepMs = 0, lastMetrics: StepMetrics | undefined;
  if (session.step >= totalSteps) return finish('finished');
  while (session.step < totalSteps) {
    for (const request of io.takeRequests()) {
      switch (request.type) {
        case 'stop': return finish('stopped', lastMetrics);
        case 'sample': io.post({ type: 'sample', step: session.step, text: sampleText(run, tokenizer, request.prime, request.length, request.temperature) }); break;
      }
    }
    const began = performance.now();
    const next = feed.step();
    const m = next.metrics;
    const stepMs = performance.now() - began;
    if (next.epochEnded) epoch++;
    if (!Number.isFinite(m.loss) || !Number.isFinite(m.gradNorm)) {
      const what = Number.isFinite(m.loss) ? `the gradient norm became ${m.gradNorm}` : `the loss became ${m.loss}`;
      const message = `training diverged at step ${m.step + 1}: ${what}. Lower training.learningRate (now ${t.learningRate}, try ${t.learningRate / 10})`
        + (t.clipNorm > 0 ? ` or training.clipNorm (now ${t.clipNorm})` : ', and set training.clipNorm (e.g. 1) to clip exploding gradients')
        + (checkpointStep === null ? '; nothing was saved.' : `; the checkpoint of step ${checkpointStep} was kept.`);
      markStatus(runDir, { status: 'failed', step: m.step, totalSteps, message });
      io.post({ type: 'error', message, badInput: false, at: faultLocation(message, start) });
      return;
    }
    lastMetrics = m;
    smoothedStepMs = smoothedStepMs === 0 ? stepMs : 0.9 * smoothedStepMs + 0.1 * stepMs;
    const step = session.step;   // updates done, 1-based for people
    const isLast = step === totalSteps;
    let valLoss: number | undefined, valAccuracy: number | undefined, valExactMatch: number | undefined, valBleu: number | undefined;
    if (step % t.evalEvery === 0 || isLast) {
      const ev = feed.evaluate();
      if (ev) {
        valLoss = ev.loss;
        valAccuracy = ev.accuracy;
        valExactMatch = ev.exactMatch;
        valBleu = ev.bleu;
        if (bestValLoss === null || ev.loss < bestValLoss) {
          bestValLoss = ev.loss;
          bestStep = step;
          evalsSinceBest = 0;
          saveModel();
        } else evalsSinceBest++;
      }
    }
    const now = Date.now();
    const tokensPerSec = next.tokens / (smoothedStepMs / 1000);
    const valPerplexity = valLoss !== undefined && (meta.task === 'lm' || meta.task === 'seq2seq') ? Math.exp(valLoss) : undefined;
    const line: MetricsLine = { step, epoch, loss: m.loss, valLoss, tokensPerSec, gradNorm: m.gradNorm, lr: m.lr, time: now, clipped: m.clipped, valPerplexity, valAccuracy, valExactMatch, valBleu };
    unlogged = line;
    if (step % logEvery === 0 || valLoss !== undefined || isLast || now - lastLogged >= 1000) {
      lastLogged = now;
      appendJsonLine(runFile(runDir, 'metrics'), line);
      unlogged = undefined;
    }
    if (m.dLda.length) {
      unsavedWindow = { step, norms: roundedNorms(m.dLda), clipped: m.clipped };
      if (step % gradientsEvery === 0 || isLast) {
        appendJsonLine(runFile(runDir, 'gradients'), unsavedWindow);
        unsavedWindow = undefined;
      }
    }
    unreported = {
      step, totalSteps, epoch, loss: m.loss, valLoss, tokensPerSec, etaSec: ((totalSteps - step) * smoothedStepMs) / 1000,
      lr: m.lr, gradNorm: m.gradNorm, layerGradNorms: m.groupNorms.map((g) => g.norm), clipRate: session.clipCounter.rate,
      clipped: m.clipped, dLda: Array.from(m.dLda), time: now, valExactMatch, valBleu,
    };
    if (now - lastProgress >= PROGRESS_INTERVAL_MS || valLoss !== undefined || isLast) {
      lastProgress = now;
      io.post({ type: 'progress', progress: unreported });
      unreported = undefined;
    }
    if (now - lastStatus >= STATUS_INTERVAL_MS) {
      lastStatus = now;
      markStatus(runDir, { status: 'training', step, totalSteps, loss: m.loss, bestValLoss: bestValLoss ?? undefined });
    }
    if (meta.task === 'lm' && t.sampleEvery > 0 && (step % t.sampleEvery === 0 || isLast)) {
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

/** ‖∂L/∂a<t>‖ to 4 significant digits: a chart needs no more, and gradients.jsonl stays small. */
const roundedNorms = (norms: ArrayLike<number>): number[] => Array.from(norms, (x) => Number(x.toPrecision(4)));

/** The model as the run folder keeps it for inference: model.onnx, or a seq2seq's encoder.onnx and decoder.onnx. */
export function writeModelFiles(runDir: string, session: RunSession, meta: ModelMeta, step?: number): void {
  const { spec, params } = session.model;
  if (isSeq2SeqSpec(spec)) return writeSeq2SeqFiles(runDir, spec, params, meta, step);
  writeFileAtomic(runFile(runDir, 'model'), exportModel(spec, params instanceof Float32Array ? params : Float32Array.from(params), toOnnxMetadata(meta, step)));
}

/** A sample from the model as it is now; its own random stream, so training is not disturbed. */
function sampleText(run: OpenRun, tokenizer: Tokenizer, prime: string, length: number, temperature: number, seedOffset = 0): string {
  if (run.meta.task !== 'lm' || isSeq2SeqSession(run.session)) return '';
  const primeIds = tokenizer.primeIds(prime);
  const ids = sample(modelStepper(run.session.model), {
    prime: primeIds, length, temperature, topK: run.config.sampling.topK, topP: run.config.sampling.topP,
    rng: new Rng(run.config.training.seed + seedOffset, SAMPLE_STREAM), excludeTokens: NON_TEXT_TOKENS,
  });
  let text = prime;
  for (const id of ids) text = tokenizer.appendDecoded(text, id);
  return text;
}
