// What a training run talks through: the worker's port (trainingWorker.ts), or a test's channel.
// Its own file so trainer.ts and embedTrainer.ts, which trainer.ts calls, both take it from below.
import type { HostToWorker, WorkerToHost } from '../../protocol/worker';

export interface TrainerIO {
  post(message: WorkerToHost): void;
  /** Messages from the host that arrived since the last call (stop, sample on demand). */
  takeRequests(): HostToWorker[];
  /** Lets the event loop run (messages arrive) between steps. */
  pause(): Promise<void>;
}
