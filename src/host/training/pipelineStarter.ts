// The real TrainingStarter: the pipeline's startTraining (a worker_threads worker per run, at background
// CPU priority so the editor stays responsive; threads from the rnnLab.training.threads setting). A
// worker that dies without a last message still ends its session, through the handle's outcome.
import * as vscode from 'vscode';
import { startTraining } from '../../pipeline/training/trainingClient';
import type { TrainingStarter } from './sessions';

export const pipelineStarter: TrainingStarter = (start, onMessage) => {
  const setting = vscode.workspace.getConfiguration('rnnLab').get<string>('training.threads');
  const threads = setting === '1' ? 1 : setting === '2' ? 2 : undefined; // "auto": the worker decides (cores.ts)
  const handle = startTraining({ ...start, background: true, threads });
  let ended = false;
  handle.onMessage((m) => {
    if (m.type === 'done' || m.type === 'error') ended = true;
    onMessage(m);
  });
  void handle.outcome.then((outcome) => { if (!ended) onMessage(outcome); });
  return { stop: () => handle.stop() };
};
