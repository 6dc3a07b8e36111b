// The batch-1 stepper on the WASM kernels (src/engine/wasm/stepper.ts: packed gemv_p8, layer 0 from
// a projected table or the embedding row) against Model.step on the TypeScript reference, token by
// token over a sequence with the state carried: the logits and the states agree to float32 rounding.
// Also: the weights are read at initialState (a change after it shows only in the next sequence),
// and the specs the plan does not cover get Model.step.
import * as assert from 'node:assert/strict';
import { createModel, type Model } from '../../../src/engine/model';
import { initParams } from '../../../src/engine/init';
import { Rng } from '../../../src/engine/rng';
import { modelStepper } from '../../../src/engine/sampler';
import type { ModelSpec } from '../../../src/engine/spec';
import { restoreReferenceKernels, useWasmKernels } from '../../../src/engine/wasm';
import { wasmStepper } from '../../../src/engine/wasm/stepper';

const base: ModelSpec = {
  cell: 'lstm', vocabSize: 21, embedding: 12, hidden: 20, layers: 1, bidirectional: false, peephole: false,
  resetAfter: true, activation: 'tanh', dropout: 0, outputs: 21, head: 'softmax', manyToOne: false,
};
const cases: { name: string; spec: ModelSpec }[] = [
  { name: 'LSTM over an embedding (table)', spec: base },
  { name: '2-layer LSTM, one-hot input', spec: { ...base, embedding: 0, layers: 2, hidden: 8 } },
  { name: '2-layer GRU over an embedding', spec: { ...base, cell: 'gru', layers: 2, hidden: 36, outputs: 13 } },
  { name: '3-layer GRU, one-hot input', spec: { ...base, cell: 'gru', embedding: 0, layers: 3, hidden: 4, outputs: 7 } },
  // V·GH over the table limit (1M floats): the embedding row is projected at each step (E = 10, not a multiple of 4).
  { name: 'LSTM with a large vocabulary (no table)', spec: { ...base, vocabSize: 2100, embedding: 10, hidden: 128, outputs: 50 } },
];

const tokens = (V: number): number[] => Array.from({ length: 40 }, (_, i) => (i * 7 + 3) % V);

/** Logits after each token and the final state, stepping with `step` from `initial`. */
function run(model: Model, stepper: { step(t: number, s: ReturnType<Model['initialState']>): ArrayLike<number>; initialState(): ReturnType<Model['initialState']> }) {
  const state = stepper.initialState();
  const logits = tokens(model.spec.vocabSize).map((t) => Float64Array.from(stepper.step(t, state)));
  return { logits, h: Float64Array.from(state.h), c: state.c ? Float64Array.from(state.c) : null };
}

function model(spec: ModelSpec): Model {
  const m = createModel(spec, 'f32');
  initParams(spec, m.params, new Rng(3));
  return m;
}

const worst = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let w = 0;
  for (let i = 0; i < a.length; i++) w = Math.max(w, Math.abs(a[i] - b[i]));
  return w;
};

describe('batch-1 stepper on the WASM kernels', () => {
  afterEach(() => restoreReferenceKernels());

  for (const c of cases) {
    it(`${c.name}: logits and states match Model.step on the reference kernels within 1e-5`, () => {
      const refModel = model(c.spec);
      const ref = run(refModel, { step: (t, s) => refModel.step(t, s), initialState: () => refModel.initialState(1) });
      const engine = useWasmKernels({ threads: 1 });
      assert.ok(engine);
      const m = model(c.spec);
      const stepper = wasmStepper(m, engine);
      assert.ok(stepper, 'the plan covers this spec');
      const got = run(m, stepper);
      got.logits.forEach((l, t) => assert.ok(worst(l, ref.logits[t]) <= 1e-5, `token ${t}: largest logit difference ${worst(l, ref.logits[t])}`));
      assert.ok(worst(got.h, ref.h) <= 1e-5, `final h differs by ${worst(got.h, ref.h)}`);
      if (ref.c) assert.ok(worst(got.c!, ref.c) <= 1e-5, `final c differs by ${worst(got.c!, ref.c)}`);
    });
  }

  it('reads the weights at initialState: a change shows in the next sequence, not the running one', () => {
    const engine = useWasmKernels({ threads: 1 });
    assert.ok(engine);
    const m = model({ ...base, cell: 'gru', layers: 2 });
    const stepper = wasmStepper(m, engine)!;
    const state = stepper.initialState();
    const before = Float64Array.from(stepper.step(4, state));
    const head = m.param('head.b');
    head[0] += 1; // as an optimizer step would
    const running = Float64Array.from(stepper.step(4, stepper.initialState())); // a new sequence: new weights
    assert.ok(Math.abs(running[0] - before[0] - 1) <= 1e-5, `head bias +1 shows in the new sequence (${running[0]} vs ${before[0]})`);
    assert.ok(worst(running.subarray(1), before.subarray(1)) <= 1e-6, 'only the changed logit moves');
    const again = stepper.initialState();
    head[0] += 1;
    const unchanged = Float64Array.from(stepper.step(4, again));
    assert.ok(Math.abs(unchanged[0] - running[0]) <= 1e-6, 'a change after initialState is not seen by that sequence');
  });

  it('with the second thread, the large products split in halves give the same logits bit for bit', () => {
    const spec: ModelSpec = { ...base, cell: 'gru', layers: 2, hidden: 256, outputs: 40 }; // GH·H = 196,608 ≥ the split size
    const oneThread = (() => {
      const engine = useWasmKernels({ threads: 1 })!;
      try { return run(model(spec), wasmStepper(model(spec), engine)!); } finally { restoreReferenceKernels(); }
    })();
    const engine = useWasmKernels({ threads: 1 })!;
    assert.ok(engine.kernels.useSecondThread(), 'worker_threads available');
    assert.ok(engine.kernels.team!.waitReady(20_000), 'the helper thread started');
    const m = model(spec), got = run(m, wasmStepper(m, engine)!);
    assert.ok(engine.kernels.team!.splits >= 2 * tokens(spec.vocabSize).length, `products split: ${engine.kernels.team!.splits}`);
    got.logits.forEach((l, t) => assert.deepEqual(l, oneThread.logits[t], `token ${t}`));
    assert.deepEqual(got.h, oneThread.h);
  });

  it('two models of one shape share a plan and still step their own weights, interleaved', () => {
    const spec: ModelSpec = { ...base, cell: 'gru', layers: 2 };
    const engine = useWasmKernels({ threads: 1 })!;
    const a = model(spec), b = createModel(spec, 'f32');
    initParams(spec, b.params, new Rng(99));
    const alone = (m: Model) => run(m, wasmStepper(m, engine)!).logits;
    const wantA = alone(a), wantB = alone(b);
    const sa = wasmStepper(a, engine)!, sb = wasmStepper(b, engine)!;
    const stA = sa.initialState(), stB = sb.initialState();
    tokens(spec.vocabSize).forEach((t, i) => {
      assert.ok(worst(sa.step(t, stA), wantA[i]) <= 1e-6, `model a, token ${i}`);
      assert.ok(worst(sb.step(t, stB), wantB[i]) <= 1e-6, `model b, token ${i}`);
    });
  });

  it('leaves specs outside the plan to Model.step (peepholes, bidirectional, gru without resetAfter, f64)', () => {
    const engine = useWasmKernels({ threads: 1 });
    assert.ok(engine);
    for (const spec of [{ ...base, peephole: true }, { ...base, bidirectional: true }, { ...base, cell: 'gru' as const, resetAfter: false }, { ...base, hidden: 18 }]) {
      assert.equal(wasmStepper(createModel(spec, 'f32'), engine), null, JSON.stringify(spec));
    }
    assert.equal(wasmStepper(createModel(base, 'f64'), engine), null, 'f64');
    // modelStepper still steps them (through Model.step).
    const m = model({ ...base, peephole: true });
    const s = modelStepper(m), state = s.initialState();
    assert.equal(s.step(2, state).length, base.outputs);
  });

  it('rejects a token outside the vocabulary and a state of another batch size, saying which', () => {
    const engine = useWasmKernels({ threads: 1 });
    const m = model(base), stepper = wasmStepper(m, engine!)!;
    assert.throws(() => stepper.step(base.vocabSize, stepper.initialState()), /token 21 is outside the vocabulary 0\.\.20/);
    assert.throws(() => stepper.step(1, m.initialState(2)), /batch of 2, expected 1/);
  });
});
