// Shared by the pytorch layer's tests: the PyTorch that scripts/torch-venv.sh installed (scripts/test.mjs
// passes it as RNNLAB_TORCH_PYTHON), running exported train.py files, torchrun and harness.py.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const HARNESS = path.resolve(__dirname, '../../../test/pytorch/harness.py');

/** The python with torch; the layer fails, not skips, when there is none. */
export function torchPython(): string {
  const python = process.env.RNNLAB_TORCH_PYTHON;
  if (!python || !fs.existsSync(python)) {
    throw new Error(`RNNLAB_TORCH_PYTHON is ${python ? `${python}, which does not exist` : 'not set'}; run the layer with npm run test:pytorch (scripts/torch-venv.sh installs PyTorch)`);
  }
  return python;
}

/** torchrun beside the venv's python, or the module it runs. */
export function torchrun(): string[] {
  const python = torchPython();
  const beside = path.join(path.dirname(python), 'torchrun');
  return fs.existsSync(beside) ? [beside] : [python, '-m', 'torch.distributed.run'];
}

export interface Ran { readonly code: number; readonly stdout: string; readonly stderr: string }

/** Runs a command to its end; one thread per process (two cores shared by many). */
export function run(command: readonly string[], cwd: string): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(command[0], command.slice(1), {
      cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, OMP_NUM_THREADS: '1', PYTHONWARNINGS: 'ignore' },
    });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** harness.py over many cases in one Python process; one result object per case. */
export async function harness<T>(cases: readonly object[], dir: string): Promise<T[]> {
  const file = path.join(dir, `cases-${Date.now()}.json`);
  fs.writeFileSync(file, JSON.stringify(cases));
  const r = await run([torchPython(), HARNESS, file], dir);
  if (r.code !== 0) throw new Error(`harness.py exited ${r.code}:\n${r.stderr.slice(-3000)}`);
  return r.stdout.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as T);
}

/** Largest |a - b| over two equal-length arrays. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

export const maxAbs = (a: ArrayLike<number>): number => Array.from(a).reduce((m, v) => Math.max(m, Math.abs(v)), 0);
