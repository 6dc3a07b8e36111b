// The real TrainingStarter: the pipeline's startTraining (a worker_threads worker per run, at background
// CPU priority so the editor stays responsive). A worker that dies without a last message still ends
// its session, through the handle's outcome.
import { startTraining } from '../../pipeline/training/trainingClient';
import type { TrainingStarter } from './sessions';

export const pipelineStarter: TrainingStarter = (start, onMessage) => {
  const handle = startTraining({ ...start, background: true });
  let ended = false;
  handle.onMessage((m) => {
    if (m.type === 'done' || m.type === 'error') ended = true;
    onMessage(m);
  });
  void handle.outcome.then((outcome) => { if (!ended) onMessage(outcome); });
  return { stop: () => handle.stop() };
};
