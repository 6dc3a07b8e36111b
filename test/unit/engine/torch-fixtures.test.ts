// The engine against PyTorch 1.13 (test/fixtures/torch/engine_*.json, written by
// scripts/fixtures/torch_engine.py): logits, loss, every gradient, final state and ‖dL/da<t>‖,
// in float64 and float32, within 1e-5 absolute.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ModelSpec } from '../../../src/engine/spec';
import { createModel } from '../../../src/engine/model';
import { sequenceCrossEntropy, sigmoidCrossEntropy, softmaxCrossEntropy } from '../../../src/engine/loss';
import type { DType, Vec } from '../../../src/engine/tensor';

const FIXTURE_VERSION = 1;
const TOLERANCE = 1e-5;
const fixtureDir = path.join(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'torch');

interface Fixture {
  version: number; name: string; spec: ModelSpec; T: number; B: number;
  loss: 'softmax' | 'sigmoid' | 'sequence';
  tokens: number[]; lengths: number[] | null; targets: number[];
  initialState: { h: number[]; c: number[] | null } | null;
  params: Record<string, number[]>; grads: Record<string, number[]>;
  logits: number[]; mask: number[]; lossValue: number;
  finalState: { h: number[]; c: number[] | null };
  dLda: number[] | null;
}

/** Largest |ours - theirs| over the entries where keep(i) (all by default). */
function maxDiff(ours: ArrayLike<number>, theirs: readonly number[], keep: (i: number) => boolean = () => true): number {
  assert.equal(ours.length, theirs.length, 'length');
  let worst = 0;
  for (let i = 0; i < theirs.length; i++) if (keep(i)) worst = Math.max(worst, Math.abs(ours[i] - theirs[i]));
  return worst;
}

/** Runs the fixture's forward, loss and backward on the engine; returns the differences by quantity. */
function compare(fx: Fixture, dtype: DType): Record<string, number> {
  const model = createModel(fx.spec, dtype);
  for (const [name, values] of Object.entries(fx.params)) model.param(name).set(values);
  const { T, B } = fx, C = fx.spec.outputs;
  const lengths = fx.lengths ? Int32Array.from(fx.lengths) : undefined;
  let state;
  if (fx.initialState) {
    state = model.initialState(B);
    state.h.set(fx.initialState.h);
    if (state.c && fx.initialState.c) state.c.set(fx.initialState.c);
  }
  const out = model.forward({ tokens: Int32Array.from(fx.tokens), T, B, lengths }, { train: false, state });
  const loss = fx.loss === 'sequence' ? sequenceCrossEntropy(out.logits, Int32Array.from(fx.targets), out.dLogits, B, C)
    : fx.loss === 'sigmoid' ? sigmoidCrossEntropy(out.logits, fx.targets, out.dLogits, T * B, C, out.mask)
    : softmaxCrossEntropy(out.logits, Int32Array.from(fx.targets), out.dLogits, T * B, C, out.mask);
  // Logits at padded steps are not defined the same way (PyTorch pads outputs with zeros).
  const rowValid = (i: number) => fx.spec.manyToOne || fx.mask[Math.floor(i / C)] === 1;
  const diffs: Record<string, number> = {
    logits: maxDiff(out.logits, fx.logits, rowValid),
    loss: Math.abs(loss - fx.lossValue),
    'final h': maxDiff(out.state.h, fx.finalState.h),
  };
  if (out.state.c && fx.finalState.c) diffs['final c'] = maxDiff(out.state.c, fx.finalState.c);
  model.zeroGrads();
  model.backward(out.dLogits);
  for (const [name, values] of Object.entries(fx.grads)) diffs[`grad ${name}`] = maxDiff(model.grad(name) as Vec, values);
  if (fx.dLda) diffs['dL/da<t>'] = maxDiff(model.dLdaNorms(), fx.dLda);
  return diffs;
}

const fixtures: Fixture[] = fs.readdirSync(fixtureDir)
  .filter((f) => f.startsWith('engine_') && f.endsWith('.json'))
  .sort()
  .map((f) => JSON.parse(fs.readFileSync(path.join(fixtureDir, f), 'utf8')) as Fixture);

describe('engine matches PyTorch fixtures', () => {
  it('has the fixtures, at the version this test reads', () => {
    assert.ok(fixtures.length >= 12, `found ${fixtures.length} engine fixtures in ${fixtureDir}`);
    for (const fx of fixtures) assert.equal(fx.version, FIXTURE_VERSION, `${fx.name}: fixture version`);
  });
  for (const fx of fixtures) {
    for (const dtype of ['f64', 'f32'] as const) {
      it(`${fx.name} (${dtype})`, () => {
        const diffs = compare(fx, dtype);
        const bad = Object.entries(diffs).filter(([, d]) => !(d < TOLERANCE));
        assert.deepEqual(bad, [], `differences above ${TOLERANCE}: ${JSON.stringify(diffs)}`);
      });
    }
  }
});
