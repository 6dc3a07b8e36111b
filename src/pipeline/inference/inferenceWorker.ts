// Entry of the inference worker (worker_threads; bundled to dist/inferenceWorker.js): labels,
// predictions and samples run here, never on the extension host's thread. The jobs themselves are
// jobRunner.ts; this file only connects them to the thread's port. No vscode import.
import { parentPort } from 'node:worker_threads';
import { useWasmKernels } from '../../engine/wasm';
import type { HostToInference } from '../../protocol/inference';
import { runInferenceJobs } from './jobRunner';

if (!parentPort) throw new Error('inferenceWorker.ts must run inside a worker thread (InferenceClient spawns it)');
const port = parentPort;
useWasmKernels();

runInferenceJobs({
  post: (message) => port.postMessage(message),
  onMessage: (listener) => {
    const handler = (message: HostToInference) => void listener(message);
    port.on('message', handler);
    return { dispose: () => { port.off('message', handler); } };
  },
  pause: () => new Promise((resolve) => setImmediate(resolve)),
});
