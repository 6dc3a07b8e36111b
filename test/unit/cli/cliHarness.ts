// Runs the compiled CLI (out/src/cli.js) as a child process, as a user would, and captures it.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const CLI = path.resolve(__dirname, '../../../src/cli.js');
export const REPO = path.resolve(__dirname, '../../../..');

export interface CliResult { readonly code: number; readonly stdout: string; readonly stderr: string }

export function runCli(args: readonly string[], cwd: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** The same command through main() in this process (no node start-up): for the many short cases. */
export async function runCliInProcess(args: readonly string[], cwd: string): Promise<CliResult> {
  const { main } = await import('../../../src/cli/main');
  let stdout = '', stderr = '';
  const previous = process.cwd();
  process.chdir(cwd);
  try {
    const code = await main(args, { out: (t) => { stdout += t; }, err: (t) => { stderr += t; }, isTTY: false, onInterrupt: () => () => undefined });
    return { code, stdout, stderr };
  } finally {
    process.chdir(previous);
  }
}

export const jsonLines = <T = any>(text: string): T[] => text.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as T);

/** A temp folder removed after the suite. */
export function tempDir(prefix: string): { dir: string; file(name: string, content: string | Buffer): string; cleanup(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return {
    dir,
    file(name, content) { const p = path.join(dir, name); fs.mkdirSync(path.dirname(p), { recursive: true }); fs.writeFileSync(p, content); return p; },
    cleanup() { fs.rmSync(dir, { recursive: true, force: true }); },
  };
}

/** A config file (JSON) in dir. */
export const config = (value: unknown): string => JSON.stringify(value, null, 2);
