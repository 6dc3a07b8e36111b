// Entry of the training worker (worker_threads; bundled to dist/trainingWorker.js): runs one run's training
// loop and forwards its messages; `stop` and `sample` requests from the host are queued for the loop.
import * as os from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import type { HostToWorker, WorkerStart } from '../../protocol/worker';
import { useWasmKernels } from '../../engine/wasm';
import { claimCores } from './cores';
import { runTraining } from './trainer';

/** How often an auto-threaded run looks at the other trainings (a directory listing). */
const FOLLOW_MS = 2000;

if (!parentPort) throw new Error('trainingWorker.ts must run inside a worker thread (startTraining spawns it)');
const port = parentPort;
// On Linux the nice value is per thread and pid 0 means this one: the extension host's own thread keeps
// its priority, so typing stays smooth while training takes what CPU is left.
if ((workerData as WorkerStart).background) {
  try { os.setPriority(0, 10); } catch { /* not permitted here: train at normal priority */ }
}
const start = workerData as WorkerStart;
// Threads: pinned by the start message, else two while no other RNN Lab training runs (cores.ts),
// followed between steps as other runs start and end.
const cores = claimCores(start.threads ?? 'auto');
// float32 buffers in WebAssembly memory, SIMD kernels (the TypeScript ones if unsupported)
const engine = useWasmKernels({ threads: cores.threads() });
const follow = start.threads || !engine ? null : setInterval(() => {
  if (cores.threads() === 2) engine.kernels.useSecondThread();
  else engine.kernels.stopSecondThread();
}, FOLLOW_MS);
follow?.unref();
const requests: HostToWorker[] = [];
port.on('message', (message: HostToWorker) => requests.push(message));

void runTraining(start, {
  post: (message) => port.postMessage(message),
  takeRequests: () => requests.splice(0),
  pause: () => new Promise((resolve) => setImmediate(resolve)),
}).finally(() => {
  if (follow) clearInterval(follow);
  cores.release();
  port.close();
});
