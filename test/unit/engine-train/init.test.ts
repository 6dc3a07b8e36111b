// initParams: PyTorch's default bounds per parameter, peephole and orthogonal options, determinism.
import { strict as assert } from 'assert';
import { initParams, orthonormalizeColumns, type InitOptions } from '../../../src/engine/init';
import { Rng } from '../../../src/engine/rng';
import { directions, gateCount, paramCount, paramLayout, type ModelSpec } from '../../../src/engine/spec';
import { allocVec } from '../../../src/engine/tensor';

const baseSpec: ModelSpec = {
  cell: 'lstm', vocabSize: 11, embedding: 6, hidden: 9, layers: 2, bidirectional: true, peephole: true,
  resetAfter: true, activation: 'tanh', dropout: 0, outputs: 5, head: 'softmax', manyToOne: false,
};

const slice = (params: Float32Array | Float64Array, spec: ModelSpec, name: string) => {
  const e = paramLayout(spec).find((x) => x.name === name);
  if (!e) throw new Error(`no ${name}`);
  return params.subarray(e.offset, e.offset + e.size);
};

const init = (spec: ModelSpec, seed: number, options: InitOptions = {}) => {
  const params = allocVec('f64', paramCount(spec));
  initParams(spec, params, new Rng(seed), options);
  return params;
};

const mean = (xs: ArrayLike<number>) => Array.from(xs).reduce((a, b) => a + b, 0) / xs.length;
const variance = (xs: ArrayLike<number>) => { const m = mean(xs); return mean(Array.from(xs, (x) => (x - m) ** 2)); };

describe('engine-train/init', () => {
  const cases: [string, Partial<ModelSpec>][] = [
    ['lstm, embedding, 2 layers, bidirectional, peepholes', {}],
    ['gru one-hot', { cell: 'gru', embedding: 0, layers: 1, bidirectional: false }],
    ['rnn relu', { cell: 'rnn', activation: 'relu', peephole: false }],
  ];
  for (const [name, overrides] of cases) {
    const spec = { ...baseSpec, ...overrides };
    it(`${name}: every entry within PyTorch's bound, peepholes zero, same seed same numbers`, () => {
      const params = init(spec, 1);
      const recurrentBound = 1 / Math.sqrt(spec.hidden);
      const headBound = 1 / Math.sqrt(directions(spec) * spec.hidden);
      for (const e of paramLayout(spec)) {
        const values = slice(params, spec, e.name);
        if (e.name === 'embedding') continue;
        if (e.name.endsWith('.P')) { assert.ok(values.every((v) => v === 0), e.name); continue; }
        const bound = e.name.startsWith('head.') ? headBound : recurrentBound;
        assert.ok(values.every((v) => Math.abs(v) <= bound), `${e.name} exceeds ±${bound}`);
        // a uniform draw fills the range: max |v| close to the bound
        if (e.size >= 30) assert.ok(Math.max(...Array.from(values, Math.abs)) > 0.8 * bound, `${e.name} does not fill ±${bound}`);
      }
      assert.deepEqual(init(spec, 1), params);
      assert.notDeepEqual(init(spec, 2), params);
    });
  }

  it('embedding is N(0, 1); uniform weights have variance bound²/3', () => {
    const spec = { ...baseSpec, vocabSize: 200, embedding: 50, hidden: 64, layers: 1 };
    const params = init(spec, 3);
    const emb = slice(params, spec, 'embedding');
    assert.ok(Math.abs(mean(emb)) < 0.03 && Math.abs(variance(emb) - 1) < 0.05, `embedding ${mean(emb)} ${variance(emb)}`);
    const w = slice(params, spec, 'layer0.R');
    assert.ok(Math.abs(variance(w) / (1 / 64 / 3) - 1) < 0.05, `R variance ${variance(w)}`);
  });

  it('peephole: "uniform" fills P within ±1/√H', () => {
    const p = slice(init(baseSpec, 4, { peephole: 'uniform' }), baseSpec, 'layer1.P');
    assert.ok(p.some((v) => v !== 0) && p.every((v) => Math.abs(v) <= 1 / 3));
  });

  it('orthogonal: every (H, H) gate block of R has orthonormal columns; W, B keep the uniform draw', () => {
    const spec = baseSpec;
    const H = spec.hidden, blocks = directions(spec) * gateCount(spec.cell);
    const params = init(spec, 5, { recurrent: 'orthogonal' });
    for (const layer of [0, 1]) {
      const R = slice(params, spec, `layer${layer}.R`);
      for (let b = 0; b < blocks; b++) {
        const q = R.subarray(b * H * H, (b + 1) * H * H);
        for (let i = 0; i < H; i++) for (let j = 0; j < H; j++) {
          let dot = 0;
          for (let r = 0; r < H; r++) dot += q[r * H + i] * q[r * H + j];
          assert.ok(Math.abs(dot - (i === j ? 1 : 0)) < 1e-12, `layer${layer} block ${b} (${i},${j}): ${dot}`);
        }
      }
      assert.ok(slice(params, spec, `layer${layer}.W`).every((v) => Math.abs(v) <= 1 / 3));
    }
  });

  it('forgetBias: Wb\'s f block (gates i, o, f, c) of every LSTM layer and direction holds it, every other number is the default draw', () => {
    const spec = baseSpec;
    const H = spec.hidden, G = gateCount(spec.cell);
    const plain = init(spec, 6), opened = init(spec, 6, { forgetBias: 5 });
    for (const layer of [0, 1]) {
      const B = slice(opened, spec, `layer${layer}.B`), B0 = slice(plain, spec, `layer${layer}.B`);
      for (let d = 0; d < directions(spec); d++) for (let k = 0; k < 2 * G * H; k++) {
        const inForget = k >= 2 * H && k < 3 * H;   // Wb's f block; Rb (k >= G*H) keeps its draw
        assert.equal(B[d * 2 * G * H + k], inForget ? 5 : B0[d * 2 * G * H + k], `layer${layer} d${d} k${k}`);
      }
    }
    const others = paramLayout(spec).filter((e) => !e.name.endsWith('.B'));
    for (const e of others) assert.deepEqual(slice(opened, spec, e.name), slice(plain, spec, e.name), e.name);
    const gru = { ...baseSpec, cell: 'gru' as const, peephole: false };
    assert.deepEqual(init(gru, 6, { forgetBias: 5 }), init(gru, 6), 'a GRU has no forget gate: unchanged');
  });

  it('orthonormalizeColumns gives the Q of A = QR with diag(R) > 0 (torch.nn.init.orthogonal_)', () => {
    const n = 6, rng = new Rng(9);
    const a = Float64Array.from({ length: n * n }, () => rng.normal());
    const q = a.slice();
    orthonormalizeColumns(q, n);
    // R = Qᵀ A must be upper triangular with a positive diagonal
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
      let r = 0;
      for (let k = 0; k < n; k++) r += q[k * n + i] * a[k * n + j];
      if (i > j) assert.ok(Math.abs(r) < 1e-12, `R(${i},${j}) = ${r}`);
      if (i === j) assert.ok(r > 0, `R(${i},${i}) = ${r}`);
    }
  });

  it('rejects a buffer of the wrong size', () => {
    assert.throws(() => initParams(baseSpec, allocVec('f32', 3), new Rng(1)), /params has 3 values, the layout of this spec needs \d+/);
  });
});
