// The inference worker's jobs: info, labels, predictions, streamed samples, translations (seq2seq),
// word-vector queries and evaluations, one at a time in order; a long job pauses every few
// milliseconds so that `cancel` messages are read (an evaluation, synchronous, takes them in between
// slices of its file). No worker_threads here (see inferenceWorker.ts): unit tests drive it through an in-memory IO.
import { isInputError } from '../errors';
import type { HostToInference, InferenceToHost, InferenceWorkerTransport } from '../../protocol/inference';
import { labelRegions, LineLabelCache } from './labelRegions';
import { ModelCache } from './modelCache';
import { predictRegion } from './predictTokens';
import { EvalCancelled } from '../eval/evalFile';
import { evaluateAndSave } from './evaluateJob';
import { sampleText } from './textInference';
import { translateRegions } from './translateRegions';
import { VectorQueries } from './vectorQueries';

export interface InferenceIO extends Pick<InferenceWorkerTransport, 'post' | 'onMessage'> {
  /** Lets the event loop run (messages arrive) inside a long job. */
  pause(): Promise<void>;
  /** Hands the listener the messages that have arrived, from inside a synchronous job (no turn of the loop). */
  deliverArrived(): void;
}

type Job = Exclude<HostToInference, { type: 'cancel' }>;

/** A streamed sample yields to the event loop after this long. */
const SLICE_MS = 10;

/** Serves the host's jobs on `io` until the thread ends; models and the line cache live as long. */
export function runInferenceJobs(io: InferenceIO): void {
  const models = new ModelCache();
  const lineCache = new LineLabelCache();
  const vectors = new VectorQueries();
  const queue: Job[] = [];
  const cancelled = new Set<number>();
  let running = false;
  const post = (m: InferenceToHost) => io.post(m);

  io.onMessage((m) => {
    if (m.type === 'cancel') {
      const queued = queue.findIndex((j) => j.job === m.job);
      if (queued >= 0) {
        queue.splice(queued, 1);
        post({ type: 'cancelled', job: m.job });
      } else {
        cancelled.add(m.job);
      }
      return;
    }
    queue.push(m);
    if (!running) void drain();
  });

  async function drain(): Promise<void> {
    running = true;
    for (let job = queue.shift(); job; job = queue.shift()) {
      try {
        await run(job);
      } catch (e) {
        post({ type: 'failed', job: job.job, message: (e as Error).message, badInput: isInputError(e) });
      }
      cancelled.delete(job.job);
    }
    running = false;
  }

  async function run(job: Job): Promise<void> {
    const alive = async () => { await io.pause(); return !cancelled.has(job.job); };
    const stop = () => post({ type: 'cancelled', job: job.job });
    switch (job.type) {
      case 'info':
        post({ type: 'info', job: job.job, info: models.any(job.model).info });
        return;
      case 'label': {
        const model = models.any(job.model);
        const outcome = await labelRegions(model, job.regions, lineCache, alive);
        if (!outcome) return stop();
        post({ type: 'labels', job: job.job, info: model.info, ...outcome });
        return;
      }
      case 'translate': {
        const result = await translateRegions(models.seq2seq(job.model), job.regions, job.settings, alive);
        if (!result) return stop();
        post({ type: 'translations', job: job.job, result });
        return;
      }
      case 'vectorSpace':
        post({ type: 'vectorSpace', job: job.job, space: vectors.space(job.source, job.display, job.draw) });
        return;
      case 'vectorNeighbors':
        post({ type: 'vectorNeighbors', job: job.job, ...vectors.neighbors(job.source, job.word, job.k) });
        return;
      case 'vectorAnalogy':
        post({ type: 'vectorAnalogy', job: job.job, ...vectors.analogy(job.source, job.a, job.b, job.c, job.k) });
        return;
      case 'predict': {
        const model = models.get(job.model);
        const result = predictRegion(model, job.region, job.topK, job.maxTokens, job.activations);
        if (cancelled.has(job.job)) return stop();
        post({ type: 'predictions', job: job.job, result });
        return;
      }
      case 'sample': {
        const model = models.get(job.model);
        let total = 0;
        let sliceStart = Date.now();
        for (const piece of sampleText(model.loaded, job.settings)) {
          post({ type: 'sampleChunk', job: job.job, text: piece, tokens: 1 });
          total++;
          if (Date.now() - sliceStart >= SLICE_MS) {   // a turn of the loop lets a cancel in
            if (!(await alive())) return stop();
            sliceStart = Date.now();
          }
        }
        post({ type: 'sampleDone', job: job.job, tokens: total });
        return;
      }
      case 'evaluate': {
        try {
          const outcome = evaluateAndSave(job.model, job.file, {
            onProgress: (progress) => post({ type: 'evalProgress', job: job.job, progress }),
            cancelled: () => { io.deliverArrived(); return cancelled.has(job.job); },
          });
          post({ type: 'evaluation', job: job.job, ...outcome });
        } catch (e) {
          if (e instanceof EvalCancelled) return stop();
          throw e;
        }
        return;
      }
      default: {
        const never: never = job;
        throw new Error(`inference worker: unknown job ${JSON.stringify(never)}`);
      }
    }
  }
}
