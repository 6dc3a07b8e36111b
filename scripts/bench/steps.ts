// Development harness (not shipped): the bench's training workloads in this process, step by step,
// through the engine alone (no worker, no files), for profiles and paired comparisons of variants.
//   node scripts/bench/steps.mjs --model A --steps 40 [--threads 1|2] [--reference]
//   node --cpu-prof --cpu-prof-dir=/tmp/prof scripts/bench/steps.mjs --model A --steps 40
// Prints one JSON line: median wall and CPU (whole process) ms per step after 5 warm-up steps, tok/s.
import { useWasmKernels } from '../../src/engine/wasm';
import { createTrainingSession, trainStep } from '../../src/engine/train-step';
import { modelStepper, sample } from '../../src/engine/sampler';
import { Rng } from '../../src/engine/rng';
import type { ModelSpec } from '../../src/engine/spec';

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const model = arg('--model', 'A'), steps = Number(arg('--steps', '40')), threads = Number(arg('--threads', '1')) as 1 | 2;
const warmup = Number(arg('--warmup', '5'));
if (!process.argv.includes('--reference')) useWasmKernels({ threads });
const [cell, hidden, layers] = model === 'A' ? ['lstm', 128, 1] as const : ['gru', 256, 2] as const;
const V = 96, B = 32, T = 64;
const spec: ModelSpec = {
  cell, vocabSize: V, embedding: 64, hidden, layers, bidirectional: false, peephole: false, resetAfter: true,
  activation: 'tanh', dropout: 0, outputs: V, head: 'softmax', manyToOne: false,
};
const ab = process.argv.includes('--ab');
const variants = ab ? [0, 1] : [0];
const sessions = variants.map(() => createTrainingSession(spec, { optimizer: { kind: 'adam' }, schedule: { kind: 'constant', baseLr: 0.002 }, seed: 1 }));
const rng = new Rng(7);
const text = new Int32Array(200_000);
for (let i = 0; i < text.length; i++) text[i] = Math.floor(rng.uniform() * V);
const wall: number[][] = variants.map(() => []), cpu: number[][] = variants.map(() => []);
const losses = variants.map(() => 0);
const g = globalThis as { RNNLAB_VARIANT?: number };
for (let s = 0; s < steps; s++) {
  const tokens = new Int32Array(T * B), targets = new Int32Array(T * B);
  for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) {
    const p = (b * 6000 + s * T + t) % (text.length - 1);
    tokens[t * B + b] = text[p]; targets[t * B + b] = text[p + 1];
  }
  // ABBA order: variant 0 first on even steps, second on odd ones.
  const order = s % 2 === 0 ? variants : [...variants].reverse();
  for (const v of order) {
    g.RNNLAB_VARIANT = v;
    const c0 = process.cpuUsage(), w0 = performance.now();
    losses[v] = trainStep(sessions[v], { tokens, T, B }, { kind: 'softmax', targets }, true).loss;
    const w = performance.now() - w0, c = process.cpuUsage(c0);
    if (s >= warmup) { wall[v].push(w); cpu[v].push((c.user + c.system) / 1000); }
  }
}
const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const os = require('node:os') as typeof import('node:os');
for (const v of variants) {
  console.log(JSON.stringify({ model, threads, variant: v, wallMs: +median(wall[v]).toFixed(2), cpuMs: +median(cpu[v]).toFixed(2), minCpuMs: +Math.min(...cpu[v]).toFixed(2),
    minWallMs: +Math.min(...wall[v]).toFixed(2), tokPerSec: Math.round((B * T) / (median(wall[v]) / 1000)), loss: +losses[v].toFixed(4), load: +os.loadavg()[0].toFixed(1) }));
}
if (ab) {
  const ratio = (xs: number[][]) => median(xs[1].map((x, i) => x / xs[0][i]));
  console.log(JSON.stringify({ pairedRatio1over0: { wall: +ratio(wall).toFixed(3), cpu: +ratio(cpu).toFixed(3) } }));
}

const sampleN = Number(arg('--sample', '0'));
if (sampleN > 0) {
  const stepper = modelStepper(sessions[0].model);
  sample(stepper, { prime: [1], length: 200, rng: new Rng(3) });
  const w0 = performance.now(), c0 = process.cpuUsage();
  sample(stepper, { prime: [1], length: sampleN, rng: new Rng(4) });
  const w = performance.now() - w0, c = process.cpuUsage(c0);
  console.log(JSON.stringify({ sample: sampleN, tokPerSec: Math.round(sampleN / (w / 1000)), cpuTokPerSec: Math.round(sampleN / ((c.user + c.system) / 1e6)), load: +os.loadavg()[0].toFixed(1) }));
}
