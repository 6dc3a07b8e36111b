// Entry of the training worker (worker_threads; bundled to dist/trainingWorker.js): runs one run's training
// loop and forwards its messages; `stop` and `sample` requests from the host are queued for the loop.
import * as os from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import type { HostToWorker, WorkerStart } from '../../protocol/worker';
import { useWasmKernels } from '../../engine/wasm';
import { runTraining } from './trainer';

if (!parentPort) throw new Error('trainingWorker.ts must run inside a worker thread (startTraining spawns it)');
const port = parentPort;
// On Linux the nice value is per thread and pid 0 means this one: the extension host's own thread keeps
// its priority, so typing stays smooth while training takes what CPU is left.
if ((workerData as WorkerStart).background) {
  try { os.setPriority(0, 10); } catch { /* not permitted here: train at normal priority */ }
}
useWasmKernels(); // float32 buffers in WebAssembly memory, SIMD kernels (the TypeScript ones if unsupported)
const requests: HostToWorker[] = [];
port.on('message', (message: HostToWorker) => requests.push(message));

void runTraining(workerData as WorkerStart, {
  post: (message) => port.postMessage(message),
  takeRequests: () => requests.splice(0),
  pause: () => new Promise((resolve) => setImmediate(resolve)),
}).finally(() => port.close());
