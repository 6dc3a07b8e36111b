// The embed task's run, as the training worker runs it: opening it (new or resumed), the word2vec
// loop, checkpoints, the probe words' neighbours every evalEvery steps, and vectors.txt (GloVe text)
// when it ends. It reports through the same TrainerIO and messages as trainer.ts's loop; the model
// is a word2vec kind in the same checkpoint format (no optimizer state: word2vec's plain SGD).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { decodeCheckpoint, encodeCheckpoint } from '../../engine/checkpoint';
import { modelKind } from '../../engine/modelKinds';
import { VectorSpace } from '../../engine/vectors/space';
import { ExampleStream, type StreamCursor } from '../../engine/word2vec/examples';
import { keepProbabilities } from '../../engine/word2vec/sampling';
import type { Word2VecSpec } from '../../engine/word2vec/spec';
import { createWord2VecSession, word2vecStep, type Word2VecSession, type Word2VecStep } from '../../engine/word2vec/word2vec';
import type { ProbeNeighbors, ProgressReport, WorkerStart } from '../../protocol/worker';
import { appendJsonLine, writeFileAtomic } from '../atomicFile';
import { loadConfig, type RnnConfig } from '../config';
import { readEmbedCorpus, type EmbedCorpus } from '../embedCorpus';
import { inputError } from '../errors';
import { checkDataFiles, checkRegularFile } from '../inputFiles';
import { checkMeta, type ModelMeta } from '../modelMeta';
import { runFile, writeRunStatus, type MetricsLine } from '../runStore';
import { dropLinesAfter, lockRunFolder, markStatus, withOverrides } from './runSetup';
import { SPECIAL_TOKENS, UNK } from '../tokenizer';
import type { TrainerIO } from './trainerIO';
import { writeVectorsFile } from '../vectorsFile';

/** What an embed checkpoint's `extra` holds. */
export interface EmbedExtra {
  readonly meta: ModelMeta;
  readonly cursor: StreamCursor;
  readonly epoch: number;
  readonly totalSteps: number;
  readonly startedAt: number;
}

interface EmbedRun {
  readonly start: WorkerStart;
  readonly config: RnnConfig;
  readonly corpus: EmbedCorpus;
  readonly session: Word2VecSession;
  readonly meta: ModelMeta;
  readonly totalSteps: number;
  readonly probes: readonly number[];
  readonly extra: EmbedExtra | null;
}

const PROGRESS_INTERVAL_MS = 100;
const STATUS_INTERVAL_MS = 2000;
const PROBE_NEIGHBORS = 8;
const AUTOMATIC_PROBES = 8;

/** Is this start an embed run? (Its config says task embed; a resumed run's snapshot does.) */
export function isEmbedStart(start: WorkerStart): boolean {
  if (start.resume) {
    const snapshot = runFile(start.runDir, 'config');
    return fs.existsSync(snapshot) && loadConfig(snapshot).task === 'embed';
  }
  return !!start.configPath && loadConfig(start.configPath, start.dataPath).task === 'embed';
}

/** Runs an embed training to its end; errors propagate to runTraining, which reports them. */
export async function trainEmbedding(start: WorkerStart, io: TrainerIO, created: () => void): Promise<void> {
  const run = start.resume ? resumeEmbedRun(start, created) : newEmbedRun(start, created);
  await embedLoop(run, io);
}

function newEmbedRun(start: WorkerStart, created: () => void): EmbedRun {
  const { runDir } = start;
  if (fs.existsSync(runFile(runDir, 'checkpoint')) || fs.existsSync(runFile(runDir, 'status'))) {
    throw inputError(runDir, 'already holds a run; choose another output folder (or resume it)');
  }
  const configName = path.basename(start.configPath!);
  if (start.dataPath) checkRegularFile(path.resolve(start.dataPath));
  const config = withOverrides(loadConfig(start.configPath!, start.dataPath), start);
  checkDataFiles(config);
  const t = config.training;
  if (config.model.embedding < 1) {
    throw inputError(configName, '/model/embedding is 0; embed learns word vectors of that width: set it to 1 or more (e.g. 100)');
  }
  const corpus = readEmbedCorpus(config, configName);
  const spec: Word2VecSpec = { kind: 'word2vec', method: config.model.method, vocabSize: corpus.tokenizer.size, embedding: config.model.embedding };
  const pairs = new ExampleStream(corpus.corpus, {
    method: spec.method, window: t.window, negatives: t.negatives, keep: keepProbabilities(corpus.counts, t.subsample), seed: t.seed,
  }).pairsInPass(0);
  if (pairs === 0) {
    throw inputError(path.basename(config.data.train), 'has no line with two words word2vec keeps; expected sentences of several words a line (words below data.minCount are left out)');
  }
  const totalSteps = start.steps ?? (t.epochs > 0 ? Math.max(1, Math.ceil((t.epochs * pairs) / t.batchSize)) : t.steps);
  const probes = probeIds(config, corpus, configName);
  const session = createWord2VecSession(spec, sessionOptions(config, totalSteps), corpus.corpus, corpus.counts);
  const meta: ModelMeta = { task: 'embed', tokenizer: corpus.tokenizer.spec, labels: [], config: { ...config, task: 'embed' } };
  lockRunFolder(runDir, true);
  if (fs.existsSync(runFile(runDir, 'checkpoint')) || fs.existsSync(runFile(runDir, 'status'))) {
    throw inputError(runDir, 'already holds a run; choose another output folder (or resume it)');   // one started meanwhile
  }
  created();
  writeFileAtomic(runFile(runDir, 'config'), '// Snapshot of the config this run trains with (paths resolved).\n' + JSON.stringify({ ...config, task: 'embed' }, null, 2) + '\n');
  const now = Date.now();
  writeRunStatus(runDir, { status: 'training', task: 'embed', step: 0, totalSteps, pid: process.pid, startedAt: now, updatedAt: now });
  return { start, config, corpus, session, meta, totalSteps, probes, extra: null };
}

function resumeEmbedRun(start: WorkerStart, created: () => void): EmbedRun {
  const { runDir } = start;
  const file = runFile(runDir, 'checkpoint');
  if (!fs.existsSync(runDir)) throw inputError(runDir, 'no such run folder to resume');
  lockRunFolder(runDir);
  if (!fs.existsSync(file)) throw inputError(runDir, 'has no checkpoint.bin to resume from');
  let checkpoint;
  try {
    checkpoint = decodeCheckpoint(new Uint8Array(fs.readFileSync(file)), path.basename(file));
  } catch (e) {
    throw inputError(file, `cannot be read (${(e as Error).message}); expected a checkpoint written by RNN Lab`);
  }
  if (checkpoint.spec.kind !== 'word2vec') throw inputError(file, `holds a ${modelKind(checkpoint.spec)} model, but the run's config says task embed`);
  const spec = checkpoint.spec;
  const config = loadConfig(runFile(runDir, 'config'));
  checkDataFiles(config);
  const extra = checkpoint.extra as EmbedExtra;
  const meta = checkMeta(extra?.meta, path.basename(file));
  const corpus = readEmbedCorpus(config, 'config.rnnconfig');
  if (JSON.stringify(corpus.tokenizer.spec.vocab) !== JSON.stringify(meta.tokenizer.vocab)) {
    throw inputError(path.basename(config.data.train), 'its vocabulary differs from the checkpoint\'s: the training text changed since the run started; start a new run');
  }
  const rng = checkpoint.rngs.negatives;
  if (!rng) throw inputError(file, 'has no negatives random state; expected an embed checkpoint written by RNN Lab');
  const totalSteps = start.steps ?? extra.totalSteps;
  const session = createWord2VecSession(spec, sessionOptions(config, totalSteps), corpus.corpus, corpus.counts,
    { params: checkpoint.params, step: checkpoint.step, rng, cursor: extra.cursor });
  const probes = probeIds(config, corpus, 'config.rnnconfig');
  created();
  markStatus(runDir, { status: 'training', step: session.step, totalSteps, message: undefined });
  for (const log of ['metrics', 'neighbors'] as const) dropLinesAfter(runFile(runDir, log), session.step);
  return { start, config, corpus, session, meta, totalSteps, probes, extra };
}

function sessionOptions(config: RnnConfig, totalSteps: number) {
  const t = config.training;
  return { learningRate: t.learningRate, totalSteps, batchPairs: t.batchSize, window: t.window, negatives: t.negatives, subsample: t.subsample, seed: t.seed };
}

/** The configured probe words (each must be in the vocabulary), or a few frequent words that are not the most frequent. */
function probeIds(config: RnnConfig, corpus: EmbedCorpus, configName: string): number[] {
  const { tokenizer } = corpus;
  const asked = config.training.probeWords;
  if (asked.length > 0) {
    return asked.map((word) => {
      const id = tokenizer.idOf(tokenizer.spec.lowercase ? word.toLowerCase() : word);
      if (id === UNK || id < SPECIAL_TOKENS.length) {
        throw inputError(configName, `/training/probeWords: "${word}" is not in the vocabulary (it occurs fewer than data.minCount = ${config.data.minCount} times in ${path.basename(config.data.train)}, or not at all)`);
      }
      return id;
    });
  }
  // The vocabulary is in frequency order: skip the very top (the, of, ...), spread over the next 200 words.
  const words = tokenizer.size - SPECIAL_TOKENS.length;
  const skip = Math.min(10, Math.floor(words / 10));
  const pool: number[] = [];
  for (let id = SPECIAL_TOKENS.length + skip; id < tokenizer.size && pool.length < 200; id++) {
    if (/\p{L}/u.test(tokenizer.tokenText(id))) pool.push(id);
  }
  const n = Math.min(AUTOMATIC_PROBES, pool.length);
  return Array.from({ length: n }, (_, i) => pool[Math.floor((i * pool.length) / n)]);
}

async function embedLoop(run: EmbedRun, io: TrainerIO): Promise<void> {
  const { start, config, session, meta, totalSteps, corpus } = run;
  const { runDir } = start;
  const t = config.training;
  const { spec } = session;
  let epoch = run.extra?.epoch ?? 0;
  const startedAt = run.extra?.startedAt ?? Date.now();
  let checkpointStep: number | null = run.extra ? session.step : null;
  io.post({ type: 'started', runDir, totalSteps, task: 'embed', paramCount: session.params.length });
  if (!run.extra) {
    io.post({ type: 'note', message: `${path.basename(config.data.train)}: ${corpus.words.toLocaleString('en-US')} words, a vocabulary of ${(spec.vocabSize - SPECIAL_TOKENS.length).toLocaleString('en-US')} (data.minCount ${config.data.minCount}${corpus.dropped ? `; ${corpus.dropped.toLocaleString('en-US')} rarer words left out` : ''}), ${totalSteps.toLocaleString('en-US')} steps of ${t.batchSize} pairs` });
  }
  const words = corpus.tokenizer.spec.vocab;
  const candidates = Uint8Array.from(words, (_, i) => (i < SPECIAL_TOKENS.length ? 0 : 1));

  const checkpoint = () => {
    const extra: EmbedExtra = { meta, cursor: session.stream.cursor(), epoch, totalSteps, startedAt };
    writeFileAtomic(runFile(runDir, 'checkpoint'), encodeCheckpoint({
      spec, params: session.params, step: session.step, optimizer: null, schedule: null, clip: null,
      rngs: { negatives: session.rng.getState() }, states: {}, extra,
    }));
    checkpointStep = session.step;
    io.post({ type: 'checkpoint', step: session.step, path: runFile(runDir, 'checkpoint') });
  };
  const probe = (step: number) => {
    const space = new VectorSpace(words, Float32Array.from(session.Win), spec.embedding, candidates);
    const probes: ProbeNeighbors[] = run.probes.map((id) => ({ word: words[id], neighbors: space.neighbors(id, PROBE_NEIGHBORS) }));
    appendJsonLine(runFile(runDir, 'neighbors'), { step, probes, time: Date.now() });
    io.post({ type: 'neighbors', step, probes });
  };
  const finish = (reason: 'finished' | 'stopped', last?: Word2VecStep) => {
    checkpoint();
    const rows = words.map((_, i) => i).filter((i) => candidates[i] === 1);
    writeVectorsFile(runFile(runDir, 'vectors'), words, session.Win, spec.embedding, rows);
    markStatus(runDir, { status: reason, step: session.step, totalSteps, loss: last?.loss });
    io.post({ type: 'done', reason, step: session.step });
  };

  const logEvery = Math.max(1, Math.round(totalSteps / 5000));
  let lastLogged = 0, lastProgress = 0, lastStatus = Date.now(), smoothedStepMs = 0;
  let last: Word2VecStep | undefined;
  if (session.step >= totalSteps) return finish('finished');
  while (session.step < totalSteps) {
    for (const request of io.takeRequests()) {
      switch (request.type) {
        case 'stop': return finish('stopped', last);
        case 'sample': break;   // word vectors generate no text
      }
    }
    const began = performance.now();
    const m = word2vecStep(session);
    const stepMs = performance.now() - began;
    epoch += m.passesEnded;
    if (!Number.isFinite(m.loss)) {
      const message = `training diverged at step ${m.step + 1}: the loss became ${m.loss}. Lower training.learningRate (now ${t.learningRate}, try ${t.learningRate / 10})`
        + (checkpointStep === null ? '; nothing was saved.' : `; the checkpoint of step ${checkpointStep} was kept.`);
      markStatus(runDir, { status: 'failed', step: m.step, totalSteps, message });
      io.post({ type: 'error', message, badInput: false });
      return;
    }
    last = m;
    smoothedStepMs = smoothedStepMs === 0 ? stepMs : 0.9 * smoothedStepMs + 0.1 * stepMs;
    const step = session.step;
    const isLast = step === totalSteps;
    const now = Date.now();
    const pairsPerSec = m.pairs / (smoothedStepMs / 1000);
    if (step % logEvery === 0 || isLast || now - lastLogged >= 1000) {
      lastLogged = now;
      const line: MetricsLine = { step, epoch, loss: m.loss, tokensPerSec: pairsPerSec, lr: m.lr, time: now };
      appendJsonLine(runFile(runDir, 'metrics'), line);
    }
    if (now - lastProgress >= PROGRESS_INTERVAL_MS || isLast) {
      lastProgress = now;
      const progress: ProgressReport = {
        step, totalSteps, epoch, loss: m.loss, tokensPerSec: pairsPerSec, etaSec: ((totalSteps - step) * smoothedStepMs) / 1000,
        lr: m.lr, layerGradNorms: [], clipRate: 0, clipped: false, dLda: [], time: now,
      };
      io.post({ type: 'progress', progress });
    }
    if (now - lastStatus >= STATUS_INTERVAL_MS) {
      lastStatus = now;
      markStatus(runDir, { status: 'training', step, totalSteps, loss: m.loss });
    }
    if (step % t.evalEvery === 0 || isLast) probe(step);
    if (step % t.checkpointEvery === 0 && !isLast) checkpoint();
    await io.pause();
  }
  finish('finished', last);
}

/** On resume: neighbour reports after the checkpoint are dropped, as metrics are. */
