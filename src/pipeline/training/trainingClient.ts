// Starting a training run in a worker thread, for the extension host and the CLI alike:
// startTraining(start) → a handle with the worker's typed messages, stop() and the final outcome.
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { HostToWorker, WorkerStart, WorkerToHost } from '../../protocol/worker';
import { releaseLockOf } from '../runLock';

export type TrainingOutcome = Extract<WorkerToHost, { type: 'done' } | { type: 'error' }>;

export interface TrainingHandle {
  readonly runDir: string;
  /** Every message of the worker, in order; returns an unsubscribe function. */
  onMessage(listener: (message: WorkerToHost) => void): () => void;
  /** Asks the run to stop: it saves a checkpoint, then ends with done/stopped. */
  stop(): void;
  /** Asks for a sample from the model as it is now (language models); arrives as a `sample` message. */
  requestSample(prime: string, length: number, temperature: number): void;
  /** Resolves with the last message: done or error (a crashed worker counts as an error). */
  readonly outcome: Promise<TrainingOutcome>;
}

/** The worker script beside this module: dist/trainingWorker.js bundled, out/src/pipeline/training/ under tsc. */
export const WORKER_SCRIPT = path.join(__dirname, 'trainingWorker.js');

export function startTraining(start: WorkerStart): TrainingHandle {
  const worker = new Worker(WORKER_SCRIPT, { workerData: start });
  const threadId = worker.threadId;            // gone from worker.threadId once it exits
  const listeners = new Set<(message: WorkerToHost) => void>();
  let settled: TrainingOutcome | undefined;
  const outcome = new Promise<TrainingOutcome>((resolve) => {
    const settle = (o: TrainingOutcome) => { if (!settled) { settled = o; resolve(o); } };
    worker.on('message', (message: WorkerToHost) => {
      for (const listener of listeners) listener(message);
      if (message.type === 'done' || message.type === 'error') settle(message);
    });
    worker.on('error', (e) => settle({ type: 'error', message: `the training worker crashed: ${e.message}`, badInput: false }));
    worker.on('exit', (code) => {
      // A worker that crashed (or was terminated) cannot release its run's lock itself.
      releaseLockOf(start.runDir, (owner) => owner.pid === process.pid && owner.threadId === threadId);
      settle({ type: 'error', message: `the training worker exited (code ${code}) before finishing`, badInput: false });
    });
  });
  const send = (message: HostToWorker) => { if (!settled) worker.postMessage(message); };
  return {
    runDir: start.runDir,
    onMessage(listener) { listeners.add(listener); return () => listeners.delete(listener); },
    stop: () => send({ type: 'stop' }),
    requestSample: (prime, length, temperature) => send({ type: 'sample', prime, length, temperature }),
    outcome,
  };
}
