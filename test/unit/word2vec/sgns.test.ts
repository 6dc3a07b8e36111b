// The SGNS loss and its gradients: finite differences in float64 for skip-gram and CBOW batches
// (empty slots, skipped negatives, repeated words), and word2vec's sequential SGD against
// "forward, backward, W −= lr·∇" where the two must agree.

import * as assert from 'node:assert/strict';
import { Rng } from '../../../src/engine/rng';
import { sgnsBackward, sgnsForward, sgnsSgdUpdate, type SgnsBatch } from '../../../src/engine/word2vec/sgns';

const V = 7, E = 4;
const STEP = 1e-5;
const FLOOR = 1e-3;

interface Case {
  readonly name: string;
  readonly C: number;
  readonly inputs: number[][];    // per example, -1 = empty slot
  readonly outputs: number[][];   // per example: positive, then negatives (-1 = skipped)
}

const cases: Case[] = [
  { name: 'skip-gram, 3 pairs, 2 negatives', C: 1, inputs: [[0], [3], [5]], outputs: [[1, 2, 4], [2, 6, 0], [6, 1, 3]] },
  { name: 'skip-gram, a skipped negative and a repeated centre', C: 1, inputs: [[2], [2], [4]], outputs: [[5, -1, 3], [1, 5, 5], [0, 6, -1]] },
  { name: 'skip-gram, no negatives', C: 1, inputs: [[1], [6]], outputs: [[3], [0]] },
  { name: 'CBOW, 4 slots, 1 to 4 context words', C: 4, inputs: [[0, 1, 2, 3], [4, -1, 5, -1], [6, -1, -1, -1]], outputs: [[4, 0, 6], [2, 3, -1], [1, 2, 5]] },
  { name: 'CBOW, a word twice in one context', C: 3, inputs: [[1, 1, 3], [2, 5, 2]], outputs: [[0, 6, 4], [3, 1, 0]] },
];

function batchOf(c: Case): SgnsBatch {
  const S = c.outputs[0].length;
  return { N: c.inputs.length, C: c.C, S, inputs: Int32Array.from(c.inputs.flat()), outputs: Int32Array.from(c.outputs.flat()) };
}

function randomTables(seed: number): { Win: Float64Array; Wout: Float64Array } {
  const rng = new Rng(seed);
  return {
    Win: Float64Array.from({ length: V * E }, () => rng.uniformIn(-0.9, 0.9)),
    Wout: Float64Array.from({ length: V * E }, () => rng.uniformIn(-0.9, 0.9)),
  };
}

function lossAndGrads(Win: Float64Array, Wout: Float64Array, batch: SgnsBatch) {
  const cache = { h: new Float64Array(batch.N * E), sig: new Float64Array(batch.N * batch.S) };
  const loss = sgnsForward(cache, Win, Wout, batch, E);
  const dWin = new Float64Array(V * E), dWout = new Float64Array(V * E);
  sgnsBackward(dWin, dWout, new Float64Array(E), cache, Wout, batch, E);
  return { loss, dWin, dWout };
}

describe('word2vec SGNS gradients match finite differences (float64)', () => {
  for (const [k, c] of cases.entries()) {
    it(c.name, () => {
      const batch = batchOf(c);
      const { Win, Wout } = randomTables(40 + k);
      const { dWin, dWout } = lossAndGrads(Win, Wout, batch);
      let worst = 0, where = '', norm = 0;
      for (const [name, table, grad] of [['Win', Win, dWin], ['Wout', Wout, dWout]] as const) {
        for (let i = 0; i < table.length; i++) {
          const saved = table[i];
          table[i] = saved + STEP;
          const up = lossAndGrads(Win, Wout, batch).loss;
          table[i] = saved - STEP;
          const down = lossAndGrads(Win, Wout, batch).loss;
          table[i] = saved;
          const numeric = (up - down) / (2 * STEP);
          norm += grad[i] ** 2;
          const err = Math.abs(grad[i] - numeric) / Math.max(Math.abs(grad[i]), Math.abs(numeric), FLOOR);
          if (err > worst) { worst = err; where = `${name}[${i}]: analytic ${grad[i]}, numeric ${numeric}`; }
        }
      }
      assert.ok(Math.sqrt(norm) > 1e-2, `gradient is (nearly) zero: ${Math.sqrt(norm)}`);
      assert.ok(worst < 1e-7, `relative error ${worst.toExponential(2)} at ${where}`);
    });
  }

  it('the loss is −log σ(s₀) − Σ log σ(−s_j), by hand for one pair', () => {
    const Win = new Float64Array(V * E), Wout = new Float64Array(V * E);
    Win.set([1, 0, 0, 0], 0 * E);
    Wout.set([2, 0, 0, 0], 1 * E);    // s₀ = 2
    Wout.set([-1, 0, 0, 0], 2 * E);   // s₁ = −1
    const { loss } = lossAndGrads(Win, Wout, { N: 1, C: 1, S: 2, inputs: Int32Array.of(0), outputs: Int32Array.of(1, 2) });
    const sig = (x: number) => 1 / (1 + Math.exp(-x));
    assert.ok(Math.abs(loss - (-Math.log(sig(2)) - Math.log(sig(1)))) < 1e-12, `loss ${loss}`);
  });
});

describe('word2vec SGD update', () => {
  const table: { name: string; c: Case }[] = [
    { name: 'one skip-gram example', c: { name: '', C: 1, inputs: [[0]], outputs: [[1, 2, 4]] } },
    { name: 'one CBOW example', c: { name: '', C: 4, inputs: [[0, -1, 2, 3]], outputs: [[4, 1, -1]] } },
    { name: 'skip-gram examples that share no row', c: { name: '', C: 1, inputs: [[0], [1]], outputs: [[2, 3], [4, 5]] } },
  ];
  for (const { name, c } of table) {
    it(`${name}: equals W −= lr·∇L at the same weights`, () => {
      const batch = batchOf(c);
      const { Win, Wout } = randomTables(7);
      const lr = 0.3;
      const { loss, dWin, dWout } = lossAndGrads(Win, Wout, batch);
      const win = Win.slice(), wout = Wout.slice();
      const sequentialLoss = sgnsSgdUpdate(win, wout, new Float64Array(E), new Float64Array(E), batch, E, lr);
      assert.ok(Math.abs(sequentialLoss - loss) < 1e-12, `loss ${sequentialLoss} vs ${loss}`);
      for (let i = 0; i < V * E; i++) {
        assert.ok(Math.abs(win[i] - (Win[i] - lr * dWin[i])) < 1e-12, `Win[${i}]`);
        assert.ok(Math.abs(wout[i] - (Wout[i] - lr * dWout[i])) < 1e-12, `Wout[${i}]`);
      }
    });
  }

  it('examples sharing a row see the earlier update (word2vec order)', () => {
    const c: Case = { name: '', C: 1, inputs: [[0], [0]], outputs: [[1, 2], [1, 3]] };
    const batch = batchOf(c);
    const { Win, Wout } = randomTables(9);
    const a = { win: Win.slice(), wout: Wout.slice() };
    sgnsSgdUpdate(a.win, a.wout, new Float64Array(E), new Float64Array(E), batch, E, 0.5);
    const b = { win: Win.slice(), wout: Wout.slice() };
    for (let r = 0; r < 2; r++) {
      const one: SgnsBatch = { N: 1, C: 1, S: 2, inputs: batch.inputs.subarray(r, r + 1), outputs: batch.outputs.subarray(2 * r, 2 * r + 2) };
      sgnsSgdUpdate(b.win, b.wout, new Float64Array(E), new Float64Array(E), one, E, 0.5);
    }
    assert.deepEqual(a, b);
  });
});
