// The `rnn-lab` executable (package.json bin → dist/cli.js): the same pipeline as the extension,
// without VS Code. See src/cli/main.ts for the commands.
import { useWasmKernels } from './engine/wasm';
import { main } from './cli/main';
import { processIO } from './cli/output';

// `rnn-lab label ... | head`: a closed pipe ends the output, not with a stack trace.
process.stdout.on('error', (e: NodeJS.ErrnoException) => { if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0); else throw e; });

useWasmKernels({ threads: 1 }); // sample/label/predict run here at batch 1; training runs in its own worker
void main(process.argv.slice(2), processIO).then((code) => { process.exitCode = code; });
