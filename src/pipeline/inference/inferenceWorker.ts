// Entry of the inference worker (worker_threads; bundled to dist/inferenceWorker.js): labels,
// predictions and samples run here, never on the extension host's thread. One job at a time, in
// order; a job pauses every few milliseconds so that `cancel` messages are read. No vscode import.
import { parentPort } from 'node:worker_threads';
import { isInputError } from '../errors';
import { sampleText } from './textInference';
import { useWasmKernels } from '../../engine/wasm';
import type { HostToInference, InferenceToHost } from '../../protocol/inference';
import { labelRegions, LineLabelCache } from './labelRegions';
import { ModelCache } from './modelCache';
import { predictRegion } from './predictTokens';

if (!parentPort) throw new Error('inferenceWorker.ts must run inside a worker thread (InferenceClient spawns it)');
const port = parentPort;
useWasmKernels();

type Job = Exclude<HostToInference, { type: 'cancel' }>;

const models = new ModelCache();
const lineCache = new LineLabelCache();
const queue: Job[] = [];
const cancelled = new Set<number>();
let running = false;

const post = (m: InferenceToHost) => port.postMessage(m);
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

port.on('message', (m: HostToInference) => {
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
  const alive = async () => { await turn(); return !cancelled.has(job.job); };
  const stop = () => post({ type: 'cancelled', job: job.job });
  switch (job.type) {
    case 'info':
      post({ type: 'info', job: job.job, info: models.get(job.model).info });
      return;
    case 'label': {
      const model = models.get(job.model);
      const outcome = await labelRegions(model, job.regions, lineCache, alive);
      if (!outcome) return stop();
      post({ type: 'labels', job: job.job, info: model.info, ...outcome });
      return;
    }
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
        if (Date.now() - sliceStart >= 10) {   // a turn of the loop lets a cancel in
          if (!(await alive())) return stop();
          sliceStart = Date.now();
        }
      }
      post({ type: 'sampleDone', job: job.job, tokens: total });
      return;
    }
    default: {
      const never: never = job;
      throw new Error(`inference worker: unknown job ${JSON.stringify(never)}`);
    }
  }
}
