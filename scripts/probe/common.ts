// What the failure probes share: the built CLI (dist/cli.js) run as a user runs it, the check that
// every file of a run folder parses, and the check that an error is "clear" (one line in words,
// naming the command, no stack trace and no raw JavaScript or errno text).
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseJsonc, type ParseError } from 'jsonc-parser';
import { decodeCheckpoint } from '../../src/engine/checkpoint';
import { importModel } from '../../src/onnx/import';

export const REPO = process.env.RNNLAB_PROBE_REPO ?? process.cwd();   // set by run.mjs
export const CLI = path.join(REPO, 'dist', 'cli.js');

export interface CliRun {
  readonly code: number | null;      // null: killed by a signal
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
  readonly timedOut: boolean;
}

/**
 * Options of one CLI run: kill it with SIGKILL killAfterMs after it starts, or after the first stdout
 * line matching killAfterLine.pattern (e.g. --json's "started": training under way); give up
 * (SIGKILL, timedOut) after timeoutMs.
 */
export interface CliOptions {
  readonly killAfterMs?: number;
  readonly killAfterLine?: { readonly pattern: RegExp; readonly ms: number };
  readonly timeoutMs?: number;
  readonly nodeArgs?: readonly string[];
}

export function runCli(args: readonly string[], cwd: string, options: CliOptions = {}): Promise<CliRun> {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), CLI, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '', timedOut = false;
    const timers: (NodeJS.Timeout | undefined)[] = [];
    child.stdout.on('data', (d) => {
      const seen = stdout;
      stdout += d;
      const line = options.killAfterLine;
      if (line && !line.pattern.test(seen) && line.pattern.test(stdout)) timers.push(setTimeout(() => child.kill('SIGKILL'), line.ms));
    });
    child.stderr.on('data', (d) => { stderr += d; });
    timers.push(
      options.killAfterMs !== undefined ? setTimeout(() => child.kill('SIGKILL'), options.killAfterMs) : undefined,
      setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, options.timeoutMs ?? 120_000),
    );
    child.on('error', reject);
    child.on('close', (code, signal) => {
      for (const t of timers) clearTimeout(t);
      resolve({ code, signal, stdout, stderr, ms: performance.now() - started, timedOut });
    });
  });
}


/** What a run folder holds after the check: files that parsed, problems (a file that does not), leftovers. */
export interface FolderCheck {
  readonly parsed: string[];
  readonly problems: string[];
  readonly tempFiles: string[];      // temp files of interrupted writes (cleaned when the run next opens)
  readonly checkpointStep: number | null;
  readonly status: string | null;
}

/** Reads every file of a run folder the way RNN Lab reads it; each that does not parse is a problem. */
export function checkRunFolder(dir: string): FolderCheck {
  const parsed: string[] = [], problems: string[] = [], tempFiles: string[] = [];
  let checkpointStep: number | null = null, status: string | null = null;
  if (!fs.existsSync(dir)) return { parsed, problems, tempFiles, checkpointStep, status };
  for (const name of fs.readdirSync(dir).sort()) {
    const file = path.join(dir, name);
    try {
      if (name.endsWith('.tmp')) { tempFiles.push(name); continue; }
      const bytes = fs.readFileSync(file);
      if (name === 'run.json') status = (JSON.parse(bytes.toString('utf8')) as { status: string }).status;
      else if (name === 'run.lock') JSON.parse(bytes.toString('utf8'));
      else if (name === 'config.rnnconfig') {
        const errors: ParseError[] = [];
        parseJsonc(bytes.toString('utf8'), errors, { allowTrailingComma: true });
        if (errors.length) throw new Error(`JSONC error ${errors[0].error} at ${errors[0].offset}`);
      } else if (name.endsWith('.jsonl')) {             // metrics, samples, gradients, neighbors
        const text = bytes.toString('utf8');
        if (text.length && !text.endsWith('\n')) throw new Error('a torn last line');
        text.split('\n').filter((l) => l !== '').forEach((l, i) => { try { JSON.parse(l); } catch { throw new Error(`line ${i + 1} is not JSON`); } });
      } else if (name === 'checkpoint.bin') checkpointStep = decodeCheckpoint(new Uint8Array(bytes), name).step;
      else if (name.endsWith('.onnx')) importModel(new Uint8Array(bytes), name);      // model, encoder, decoder
      else if (name.endsWith('.json')) JSON.parse(bytes.toString('utf8'));              // eval-<file>.json
      else if (name === 'vectors.txt') { if (bytes.length && bytes[bytes.length - 1] !== 0x0a) throw new Error('a torn last line'); }
      else throw new Error('a file the probe does not know');
      parsed.push(name);
    } catch (e) {
      problems.push(`${name}: ${(e as Error).message}`);
    }
  }
  return { parsed, problems, tempFiles, checkpointStep, status };
}

/** Text that shows an error escaped as JavaScript or as a raw system error instead of words. */
const RAW = [
  /\n\s+at .+\(.+:\d+:\d+\)/, /^\s+at /m, /\b(TypeError|RangeError|ReferenceError|SyntaxError|AssertionError)\b/,
  /Cannot read propert/, /is not a function/, /is not iterable/, /Maximum call stack/, /Invalid (typed )?array length/,
  /heap out of memory|FATAL ERROR|Aborted|Segmentation/, /\bE(NOENT|ISDIR|NOTDIR|ACCES|PERM|NOSPC|ROFS|AGAIN|MFILE)\b/,
  /\[object Object\]/, /(?<!")\b(undefined|NaN)\b(?!")/,          // a value quoted back ("NaN") is the user's own
];

/**
 * Why an error message is not clear, or null when it is: exactly one line, `rnn-lab <command>: ` and
 * words, at most 400 characters (a long value is cut), nothing from RAW.
 */
export function unclear(stderr: string, command: string): string | null {
  const lines = stderr.trim().split('\n').filter((l) => !/^\[#*-*\]|^warning: /.test(l));   // progress bars, warnings
  if (lines.length !== 1) return `${lines.length} lines`;
  const [line] = lines;
  if (!line.startsWith(`rnn-lab ${command}: `)) return 'does not start with the command';
  if (line.length > 400) return `${line.length} characters`;
  const raw = RAW.find((re) => re.test(line));
  return raw ? `raw error text (${raw.source})` : null;
}

/** A seeded generator (mulberry32): the probes are repeatable with --seed. */
export function rng(seed: number): { next(): number; int(n: number): number; pick<T>(xs: readonly T[]): T } {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (n) => Math.floor(next() * n), pick: (xs) => xs[Math.floor(next() * xs.length)] };
}

export const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
};

/** ~100 KB of words, the same every time. */
export function corpus(words = 20_000): string {
  const vocabulary = 'the cat sat on a mat and then it ran off to see the dog who was very happy today'.split(' ');
  const r = rng(7);
  return Array.from({ length: words }, () => r.pick(vocabulary)).join(' ') + '\n';
}

export const config = (value: unknown): string => JSON.stringify(value, null, 2) + '\n';

/** A small char LSTM language model that checkpoints often: the runs the kill and disk probes train. */
export const lmConfig = (training: Record<string, unknown> = {}): string => config({
  task: 'lm', data: { train: 'corpus.txt', validation: 0.1, tokenizer: 'char' }, model: { cell: 'lstm', hidden: 64, embedding: 16 },
  training: { steps: 300, batchSize: 8, sequenceLength: 32, evalEvery: 50, checkpointEvery: 10, sampleEvery: 25, ...training },
});

export const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
