// Entry of the inference worker (worker_threads; bundled to dist/inferenceWorker.js): labels,
// predictions, samples and evaluations run here, never on the extension host's thread. The jobs themselves are
// jobRunner.ts; this file only connects them to the thread's port. No vscode import.
import { parentPort, receiveMessageOnPort } from 'node:worker_threads';
import { useWasmKernels } from '../../engine/wasm';
import type { HostToInference } from '../../protocol/inference';
import { runInferenceJobs } from './jobRunner';

if (!parentPort) throw new Error('inferenceWorker.ts must run inside a worker thread (InferenceClient spawns it)');
const port = parentPort;
useWasmKernels();

let deliver: ((message: HostToInference) => void) | undefined;
runInferenceJobs({
  post: (message) => port.postMessage(message),
  onMessage: (listener) => {
    const handler = (message: HostToInference) => void listener(message);
    deliver = handler;
    port.on('message', handler);
    return { dispose: () => { port.off('message', handler); if (deliver === handler) deliver = undefined; } };
  },
  pause: () => new Promise((resolve) => setImmediate(resolve)),
  // A cancel posted while an evaluation runs is read here, synchronously, between slices of its file.
  deliverArrived: () => {
    if (!deliver) return;
    for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) deliver(m.message as HostToInference);
  },
});
