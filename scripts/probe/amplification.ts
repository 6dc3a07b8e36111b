// How long and how much memory refusing the hostile .onnx files takes: each case in a fresh process
// (so its peak RSS is its own), importModel timed in that process, and the same file through the CLI
// (rnn-lab predict FILE --ids 1, a whole process: its wall time, exit code, message and peak RSS).
// A measurement, not a test: the budget tests (test/unit/onnx/budget.test.ts) check the refusals.
//   node scripts/probe/run.mjs amplification
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { importModel } from '../../src/onnx/import';
import { encodeModel, IR_VERSION, OPSET } from '../../src/onnx/modelProto';
import { attr, floatTensor } from '../../src/onnx/tensorProto';
import { concatAmplification, doublingChain, hugeClaimedInitializer } from '../../test/unit/onnx/hostileModels';
import { arg, runCli } from './common';

/** A 12 MB file: one 3,000,000-float initializer concatenated 64 times (192 M floats, 768 MB once folded). */
function bigConcat(): Uint8Array {
  const width = 3_000_000;
  return encodeModel({
    irVersion: IR_VERSION, opsetImport: [{ domain: '', version: OPSET }], producerName: 'hostile',
    graph: {
      name: 'g', node: [{ opType: 'Concat', name: 'amplify', input: Array(64).fill('w'), output: ['big'], attribute: [attr.int('axis', 0)] }],
      initializer: [floatTensor('w', [width], new Float32Array(width).fill(1))], input: [], output: [{ name: 'big' }],
    },
  });
}

const CASES: Record<string, () => Uint8Array> = {
  'concat-20000': () => concatAmplification(),
  'concat-12mb': bigConcat,
  'doubling-chain': () => doublingChain(),
  'claimed-2^40': () => hugeClaimedInitializer(),
};

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;

/** In the child: import one case, print {ms, message, rssBefore, peakRss} as JSON. */
function measureOne(name: string): void {
  const bytes = CASES[name]();
  const rssBefore = process.memoryUsage().rss;
  const started = performance.now();
  let message = 'imported';
  try { importModel(bytes, `${name}.onnx`); } catch (e) { message = (e as Error).message; }
  const ms = performance.now() - started;
  console.log(JSON.stringify({ ms, message, fileBytes: bytes.length, rssBefore, peakRss: process.resourceUsage().maxRSS * 1024 }));
}

async function main(): Promise<number> {
  const only = arg('--case', '');
  if (only) { measureOne(only); return 0; }
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'rnnlab-probe-amp-'));
  // Preloaded into the CLI's process: its peak RSS on exit, on stderr's last line.
  const rssHook = path.join(work, 'peak-rss.cjs');
  fs.writeFileSync(rssHook, "process.on('exit', () => process.stderr.write(`\\npeak-rss ${process.resourceUsage().maxRSS * 1024}\\n`));\n");
  try {
    for (const name of Object.keys(CASES)) {
      const child = spawnSync(process.execPath, [process.env.RNNLAB_PROBE_SELF!, '--case', name], { encoding: 'utf8', maxBuffer: 1 << 24 });
      const m = JSON.parse(child.stdout.trim().split('\n').pop()!) as { ms: number; message: string; fileBytes: number; rssBefore: number; peakRss: number };
      console.log(`${name} (${(m.fileBytes / 1024).toFixed(0)} KB): importModel ${m.ms.toFixed(0)} ms, peak RSS ${mb(m.peakRss)} (${mb(m.rssBefore)} before the import, with the file built in memory)`);
      console.log(`  ${m.message}`);
      const file = path.join(work, `${name}.onnx`);
      fs.writeFileSync(file, CASES[name]());
      const cli = await runCli(['predict', file, '--ids', '1'], work, { nodeArgs: ['--require', rssHook] });
      const lines = cli.stderr.trim().split('\n');
      const peak = Number(lines.pop()!.replace('peak-rss ', ''));
      console.log(`  rnn-lab predict: exit ${cli.code} in ${cli.ms.toFixed(0)} ms (the whole process), peak RSS ${mb(peak)}: ${lines.filter((l) => l.trim()).join(' | ')}`);
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  return 0;
}

void main().then((code) => process.exit(code));
