// Model behaviour beyond gradients: padding leaves results untouched, truncated BPTT windows chain
// exactly, step() equals forward(), gradients accumulate, gate statistics, shapes and errors.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ModelSpec } from '../../../src/engine/spec';
import { copyState, createModel, type Model } from '../../../src/engine/model';
import { softmaxCrossEntropy } from '../../../src/engine/loss';
import { Rng } from '../../../src/engine/rng';
import { makeSpec, randomModel, randomTokens } from './helpers';

const cellVariants: { name: string; spec: Partial<ModelSpec> }[] = [
  { name: 'rnn relu', spec: { cell: 'rnn', activation: 'relu' } },
  { name: 'gru reset before, 2 layers', spec: { cell: 'gru', resetAfter: false, layers: 2 } },
  { name: 'gru resetAfter, embedding', spec: { cell: 'gru', embedding: 3 } },
  { name: 'lstm peephole, 2 layers, embedding', spec: { cell: 'lstm', peephole: true, layers: 2, embedding: 4 } },
];

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  assert.equal(a.length, b.length, 'length');
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

/** Logits and final state of one sequence run alone (B = 1). */
function runAlone(model: Model, tokens: number[]) {
  const out = model.forward({ tokens: Int32Array.from(tokens), T: tokens.length, B: 1 }, { train: false });
  return { logits: out.logits.slice(), h: out.state.h.slice(), c: out.state.c?.slice() };
}

describe('engine model', () => {
  for (const v of cellVariants) {
    for (const bidirectional of [false, true]) {
      it(`${v.name}${bidirectional ? ', bidirectional' : ''}: a padded sequence gives what it gives alone`, () => {
        const spec = makeSpec({ ...v.spec, bidirectional });
        const model = randomModel(spec, 'f64', 3);
        const rng = new Rng(4);
        const T = 5, lengths = [5, 2, 4];
        const tokens = randomTokens(rng, T * 3, spec.vocabSize);
        const batch = model.forward({ tokens, T, B: 3, lengths: Int32Array.from(lengths) }, { train: false });
        const logits = batch.logits.slice(), h = batch.state.h.slice();
        const H = spec.hidden, D = bidirectional ? 2 : 1, C = spec.outputs;
        for (let b = 0; b < 3; b++) {
          const own = Array.from({ length: lengths[b] }, (_, t) => tokens[t * 3 + b]);
          const alone = runAlone(model, own);
          for (let t = 0; t < lengths[b]; t++) {
            const ours = logits.subarray((t * 3 + b) * C, (t * 3 + b + 1) * C);
            assert.ok(maxAbsDiff(ours, alone.logits.subarray(t * C, (t + 1) * C)) < 1e-12, `logits at t=${t}, b=${b}`);
          }
          for (let ld = 0; ld < spec.layers * D; ld++) {
            const ours = h.subarray((ld * 3 + b) * H, (ld * 3 + b + 1) * H);
            assert.ok(maxAbsDiff(ours, alone.h.subarray(ld * H, (ld + 1) * H)) < 1e-12, `final state ${ld}, b=${b}`);
          }
        }
      });
    }

    it(`${v.name}: two truncated-BPTT windows with the state carried equal one long window`, () => {
      const spec = makeSpec(v.spec);
      const model = randomModel(spec, 'f64', 5);
      const tokens = randomTokens(new Rng(6), 6 * 2, spec.vocabSize);
      const whole = model.forward({ tokens, T: 6, B: 2 }, { train: false });
      const wholeLogits = whole.logits.slice(), wholeH = whole.state.h.slice();
      const first = model.forward({ tokens: tokens.slice(0, 6), T: 3, B: 2 }, { train: false });
      const firstLogits = first.logits.slice();
      const second = model.forward({ tokens: tokens.slice(6), T: 3, B: 2 }, { train: false, state: first.state });
      assert.ok(maxAbsDiff([...firstLogits, ...second.logits], wholeLogits) < 1e-12, 'logits');
      assert.ok(maxAbsDiff(second.state.h, wholeH) < 1e-12, 'final state');
    });

    it(`${v.name}: step() token by token equals forward() over the sequence`, () => {
      const spec = makeSpec(v.spec);
      const model = randomModel(spec, 'f32', 7);
      const tokens = [1, 4, 0, 2, 2, 3];
      const reference = runAlone(model, tokens);
      const state = model.initialState(1);
      const C = spec.outputs;
      for (const [t, tok] of tokens.entries()) {
        const logits = model.step(tok, state);
        assert.ok(maxAbsDiff(logits, reference.logits.subarray(t * C, (t + 1) * C)) < 1e-6, `step ${t}`);
      }
      assert.ok(maxAbsDiff(state.h, reference.h) < 1e-6, 'carried state');
    });
  }

  it('step() between forward and backward does not disturb the training pass', () => {
    const spec = makeSpec({ cell: 'lstm', layers: 2 });
    const model = randomModel(spec, 'f64', 8);
    const tokens = randomTokens(new Rng(9), 4 * 2, spec.vocabSize);
    const targets = randomTokens(new Rng(10), 4 * 2, spec.outputs);
    const gradsOf = (interleave: boolean) => {
      model.zeroGrads();
      const out = model.forward({ tokens, T: 4, B: 2 }, { train: true });
      softmaxCrossEntropy(out.logits, targets, out.dLogits, 8, spec.outputs);
      if (interleave) model.step(3, model.initialState(1));
      model.backward(out.dLogits);
      return model.grads.slice();
    };
    assert.deepEqual(gradsOf(true), gradsOf(false));
  });

  it('backward accumulates into grads (+=) until zeroGrads', () => {
    const model = randomModel(makeSpec({ cell: 'gru', bidirectional: true }), 'f64', 11);
    const out = model.forward({ tokens: new Int32Array([0, 1, 2, 3]), T: 2, B: 2 }, { train: false });
    softmaxCrossEntropy(out.logits, new Int32Array([1, 1, 0, 3]), out.dLogits, 4, 4);
    model.zeroGrads();
    model.backward(out.dLogits);
    const once = model.grads.slice();
    model.backward(out.dLogits);
    assert.ok(maxAbsDiff(model.grads, once.map((g) => 2 * g)) < 1e-14);
    assert.ok(once.some((g) => g !== 0));
    model.zeroGrads();
    assert.ok(model.grads.every((g) => g === 0));
  });

  it('reused workspaces (shorter windows as prefixes, several batch sizes) give what fresh models give', () => {
    const spec = makeSpec({ cell: 'lstm', bidirectional: true });
    const shared = randomModel(spec, 'f64', 12);
    const shapes = [[3, 2], [5, 2], [2, 2], [5, 1], [3, 2], [2, 4], [1, 1], [4, 3], [5, 5], [6, 2], [3, 2]];
    for (const [T, B] of shapes) {
      const tokens = Int32Array.from({ length: T * B }, (_, i) => (i * 7 + T) % spec.vocabSize);
      const lengths = Int32Array.from({ length: B }, (_, b) => Math.max(1, T - b));
      const targets = Int32Array.from({ length: T * B }, (_, i) => i % spec.outputs);
      const run = (model: Model) => {
        model.zeroGrads();
        const out = model.forward({ tokens, T, B, lengths }, { train: false });
        softmaxCrossEntropy(out.logits, targets, out.dLogits, T * B, spec.outputs, out.mask);
        model.backward(out.dLogits);
        return { logits: out.logits.slice(), h: out.state.h.slice(), grads: model.grads.slice(), dLda: model.dLdaNorms() };
      };
      const fresh = randomModel(spec, 'f64', 12);
      assert.deepEqual(run(shared), run(fresh), `T=${T}, B=${B}`);
    }
  });

  it('dL/da<t> has one norm per step, and shrinks backwards in time through a small-weight rnn', () => {
    const spec = makeSpec({ cell: 'rnn', hidden: 4 });
    const model = randomModel(spec, 'f64', 13, 0.3);
    const T = 8;
    const out = model.forward({ tokens: new Int32Array(T).fill(1), T, B: 1 }, { train: false });
    // Only the last step has a loss: the gradient reaches earlier steps through Waa only.
    softmaxCrossEntropy(out.logits, new Int32Array(T), out.dLogits, T, spec.outputs, Uint8Array.from({ length: T }, (_, t) => (t === T - 1 ? 1 : 0)));
    model.backward(out.dLogits);
    const norms = model.dLdaNorms();
    assert.equal(norms.length, T);
    for (let t = 0; t < T - 1; t++) assert.ok(norms[t] < norms[t + 1], `‖dL/da<${t}>‖ = ${norms[t]} >= ‖dL/da<${t + 1}>‖ = ${norms[t + 1]}`);
  });

  it('gate statistics: zero weights give σ(0) = 0.5 gates and tanh(0) = 0 candidates; big biases saturate', () => {
    const model = createModel(makeSpec({ cell: 'lstm', layers: 2 }), 'f64');
    model.forward({ tokens: new Int32Array([0, 1, 2]), T: 3, B: 1 }, { train: false });
    const stats = model.gateStats();
    assert.deepEqual(stats.map((s) => `${s.layer}${s.gate}=${s.mean}/${s.saturated}`),
      ['0i=0.5/0', '0o=0.5/0', '0f=0.5/0', '0c=0/0', '1i=0.5/0', '1o=0.5/0', '1f=0.5/0', '1c=0/0']);
    model.param('layer0.B').fill(10);
    model.forward({ tokens: new Int32Array([0, 1, 2]), T: 3, B: 1 }, { train: false });
    assert.ok(model.gateStats().filter((s) => s.layer === 0).every((s) => s.saturated === 1));
  });

  it('dropout acts only when training, and the same rng seed gives the same masks', () => {
    const model = randomModel(makeSpec({ cell: 'gru', layers: 2, dropout: 0.5, hidden: 8 }), 'f64', 14);
    const batch = { tokens: new Int32Array([0, 1, 2, 3, 4, 0]), T: 3, B: 2 };
    const evalLogits = model.forward(batch, { train: false }).logits.slice();
    const a = model.forward(batch, { train: true, rng: new Rng(1) }).logits.slice();
    const b = model.forward(batch, { train: true, rng: new Rng(1) }).logits.slice();
    assert.deepEqual(a, b);
    assert.ok(maxAbsDiff(a, evalLogits) > 1e-3, 'dropout changed nothing');
    assert.throws(() => model.forward(batch, { train: true }), /needs opts\.rng/);
  });

  it('many-to-one logits are (B, C); state is (L, D, B, H)', () => {
    const spec = makeSpec({ cell: 'lstm', manyToOne: true, bidirectional: true, layers: 2, outputs: 3 });
    const out = createModel(spec).forward({ tokens: new Int32Array(4 * 5), T: 4, B: 5 }, { train: false });
    assert.equal(out.logits.length, 5 * 3);
    assert.equal(out.state.h.length, 2 * 2 * 5 * spec.hidden);
    assert.equal(out.state.c?.length, 2 * 2 * 5 * spec.hidden);
    assert.ok(out.logits instanceof Float32Array, 'f32 by default');
  });

  const errorCases: { name: string; run: (m: Model) => unknown; message: RegExp }[] = [
    { name: 'token outside the vocabulary', run: (m) => m.forward({ tokens: new Int32Array([0, 5]), T: 2, B: 1 }, { train: false }), message: /token 5 at t=1, b=0 is outside the vocabulary 0\.\.4/ },
    { name: 'tokens not T*B', run: (m) => m.forward({ tokens: new Int32Array(3), T: 2, B: 2 }, { train: false }), message: /tokens has 3 ids, expected T\*B = 4/ },
    { name: 'length out of range', run: (m) => m.forward({ tokens: new Int32Array(4), T: 2, B: 2, lengths: new Int32Array([2, 3]) }, { train: false }), message: /lengths\[1\] = 3, expected 1\.\.2/ },
    { name: 'state of another batch size', run: (m) => m.forward({ tokens: new Int32Array(4), T: 2, B: 2 }, { train: false, state: m.initialState(3) }), message: /initial state does not fit: expected B=2/ },
    { name: 'step with a batch state', run: (m) => m.step(0, m.initialState(2)), message: /expected 1/ },
    { name: 'unknown parameter', run: (m) => m.param('layer9.W'), message: /no parameter "layer9\.W"; expected one of .*layer0\.W/ },
  ];
  for (const c of errorCases) {
    it(`refuses: ${c.name}`, () => assert.throws(() => c.run(createModel(makeSpec({ cell: 'lstm' }))), c.message));
  }

  it('refuses backward before forward, and a bad spec naming the field', () => {
    assert.throws(() => createModel(makeSpec({})).backward(new Float32Array(1)), /no forward/);
    assert.throws(() => createModel(makeSpec({ hidden: 0 })), /spec\.hidden must be a positive integer, got 0/);
    assert.throws(() => createModel(makeSpec({ dropout: 1 })), /spec\.dropout must be in \[0, 1\)/);
  });
});

describe('engine model activations', () => {
  it('hidden states, gate values and cells of each layer, in (T, B, D, ·) order', () => {
    const spec = makeSpec({ cell: 'lstm', layers: 2, bidirectional: true });
    const model = randomModel(spec, 'f64', 15);
    const T = 3, B = 2, H = spec.hidden;
    const out = model.forward({ tokens: new Int32Array([0, 1, 2, 3, 4, 0]), T, B }, { train: false });
    const acts = model.activations();
    assert.deepEqual(acts.map((a) => [a.layer, a.T, a.B, a.D, a.H, a.gates.join('')]), [[0, 3, 2, 2, H, 'iofc'], [1, 3, 2, 2, H, 'iofc']]);
    const top = acts[1];
    // Direction 0 ends at t = T-1, direction 1 at t = 0; both are the layer's final states.
    for (let b = 0; b < B; b++) {
      for (let j = 0; j < H; j++) {
        const fwd = top.hidden[((T - 1) * B + b) * 2 * H + j], bwd = top.hidden[(0 * B + b) * 2 * H + H + j];
        assert.ok(Math.abs(fwd - out.state.h[((1 * 2 + 0) * B + b) * H + j]) < 1e-6);
        assert.ok(Math.abs(bwd - out.state.h[((1 * 2 + 1) * B + b) * H + j]) < 1e-6);
        // h = o ⊙ tanh(c): gate o is block 1 of (t, b, d).
        const o = top.gateValues[(((T - 1) * B + b) * 2 + 0) * 4 * H + H + j];
        const c = top.cell![((T - 1) * B + b) * 2 * H + j];
        assert.ok(Math.abs(fwd - o * Math.tanh(c)) < 1e-6);
      }
    }
    assert.ok(top.gateValues.every((v) => v >= -1 && v <= 1));
  });
});

describe('engine model states', () => {
  const state = (B: number, h: number[], c: number[] | null) => ({ B, h: Float64Array.from(h), c: c ? Float64Array.from(c) : null });
  const cases: { what: string; from: ReturnType<typeof state>; into: ReturnType<typeof state> | null; reused: boolean }[] = [
    { what: 'no target: fresh buffers', from: state(1, [1, 2], [3, 4]), into: null, reused: false },
    { what: 'same shape: into its buffers', from: state(1, [1, 2], [3, 4]), into: state(1, [0, 0], [0, 0]), reused: true },
    { what: 'same shape without cells', from: state(2, [1, 2], null), into: state(2, [9, 9], null), reused: true },
    { what: 'another batch size: fresh', from: state(2, [1, 2, 5, 6], null), into: state(1, [0, 0], null), reused: false },
    { what: 'cells missing in the target: fresh', from: state(1, [1, 2], [3, 4]), into: state(1, [0, 0], null), reused: false },
  ];
  for (const { what, from, into, reused } of cases) {
    it(`copyState, ${what}`, () => {
      const copy = copyState(from, into);
      assert.equal(copy === into, reused);
      assert.deepEqual([copy.B, Array.from(copy.h), copy.c && Array.from(copy.c)], [from.B, Array.from(from.h), from.c && Array.from(from.c)]);
      assert.ok(copy.h !== from.h && copy.h instanceof Float64Array, 'a copy of the same type, not the same buffer');
      from.h[0] = 42;
      assert.notEqual(copy.h[0], 42);
    });
  }

  it('the layers never import the model (types they share live beside them, below it)', () => {
    const engine = path.join(__dirname, '..', '..', '..', '..', 'src', 'engine');
    for (const folder of ['layers', 'cells']) {
      for (const file of fs.readdirSync(path.join(engine, folder))) {
        const source = fs.readFileSync(path.join(engine, folder, file), 'utf8');
        assert.doesNotMatch(source, /from '\.\.\/model'/, `${folder}/${file} imports ../model`);
      }
    }
  });
});

describe('engine model: layer 0 through the embedding table', () => {
  // With T·B rows above the vocabulary, layer 0 projects the V table rows and sums dGates by token
  // (RecurrentLayer.projectsTable); one sequence at a time (T rows below V) goes row by row. The
  // logits and the summed gradients of both must agree (float64: to rounding).
  const variants: Partial<ModelSpec>[] = [
    { cell: 'lstm', embedding: 4, vocabSize: 7 },
    { cell: 'gru', embedding: 3, vocabSize: 6, bidirectional: true, layers: 2 },
    { cell: 'rnn', embedding: 5, vocabSize: 5 },
  ];
  for (const over of variants) {
    it(`${JSON.stringify(over)}: a batch through the table equals its sequences row by row`, () => {
      const spec = makeSpec(over), T = 4, B = 3;
      assert.ok(T * B > spec.vocabSize && T < spec.vocabSize, 'the batch goes through the table, a sequence alone does not');
      const model = randomModel(spec, 'f64', 11);
      const rng = new Rng(12);
      const tokens = randomTokens(rng, T * B, spec.vocabSize);
      const dLogits = Float64Array.from({ length: T * B * spec.outputs }, () => rng.uniformIn(-1, 1));
      model.zeroGrads();
      const batch = model.forward({ tokens, T, B }, { train: false }).logits.slice();
      model.backward(dLogits);
      const together = model.grads.slice();
      model.zeroGrads();
      for (let b = 0; b < B; b++) {
        const seq = Int32Array.from({ length: T }, (_, t) => tokens[t * B + b]);
        const logits = model.forward({ tokens: seq, T, B: 1 }, { train: false }).logits;
        for (let t = 0; t < T; t++) {
          for (let k = 0; k < spec.outputs; k++) assert.ok(Math.abs(logits[t * spec.outputs + k] - batch[(t * B + b) * spec.outputs + k]) < 1e-12, `logit t=${t} b=${b}`);
        }
        model.backward(Float64Array.from({ length: T * spec.outputs }, (_, i) => dLogits[(Math.floor(i / spec.outputs) * B + b) * spec.outputs + (i % spec.outputs)]));
      }
      assert.ok(maxAbsDiff(model.grads, together) < 1e-12, `gradients differ by ${maxAbsDiff(model.grads, together)}`);
    });
  }
});
