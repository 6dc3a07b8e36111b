// Sampler against a table-driven test double of the StepModel interface (next logits depend on the
// last token only), so the expected support and greedy path can be worked out by hand.
import { strict as assert } from 'assert';
import { modelStepper, sample, sampleTokens, TokenPicker, type SampleOptions, type StepModel } from '../../../src/engine/sampler';
import { Rng } from '../../../src/engine/rng';
import { createModel } from '../../../src/engine/model';
import { initParams } from '../../../src/engine/init';

const C = 6;
// logits after token k: row k. Row 0 is a fixed, well-spread distribution; the others come from a seed.
const tableRng = new Rng(123);
const table = Float64Array.from({ length: C * C }, (_, i) => (i < C ? [2, 1.5, 1, 0.5, 0, -1][i] : tableRng.normal() * 2));
const row = (k: number) => table.subarray(k * C, (k + 1) * C);

interface FakeState { fed: number[] }
/** Test double of StepModel: records every token it is fed and on which state object. */
function tableModel(): StepModel<FakeState> & { steps: number; states: FakeState[] } {
  const model = {
    steps: 0,
    states: [] as FakeState[],
    step(token: number, state: FakeState) { model.steps++; state.fed.push(token); return row(token); },
    initialState() { const s = { fed: [] }; model.states.push(s); return s; },
  };
  return model;
}

const softmax = (logits: ArrayLike<number>, temperature = 1) => {
  const m = Math.max(...Array.from(logits));
  const e = Array.from(logits, (l) => Math.exp((l - m) / temperature));
  const z = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / z);
};

type Filters = { temperature?: number; topK?: number; topP?: number; excludeTokens?: number[] };

/** Frequencies of the first sampled token after priming with token 0, over n runs of one picker. */
function firstTokenFrequencies(options: Filters, n = 20000): number[] {
  const picker = new TokenPicker(new Rng(7), options.temperature ?? 1, options.topK ?? 0, options.topP ?? 1, options.excludeTokens);
  const counts = new Array(C).fill(0);
  for (let i = 0; i < n; i++) counts[picker.pick(row(0))]++;
  return counts.map((c) => c / n);
}

describe('engine-train/sampler', () => {
  it('temperature 0 follows the argmax path, one model step per token, state carried', () => {
    const model = tableModel();
    const out = sample(model, { prime: [3, 1], length: 8, temperature: 0, topK: 2 });
    let token = 1;
    const expected: number[] = [];
    for (let n = 0; n < 8; n++) { const r = Array.from(row(token)); token = r.indexOf(Math.max(...r)); expected.push(token); }
    assert.deepEqual(out, expected);
    assert.equal(model.states.length, 1, 'one state for the whole generation');
    assert.deepEqual(model.states[0].fed, [3, 1, ...expected.slice(0, -1)], 'each token fed once, in order');
    assert.equal(model.steps, 2 + 8 - 1);
  });

  const supports: [string, Filters, number[]][] = [
    // row 0 at T=1: p ≈ [.42, .25, .15, .09, .06, .02], cumulative [.42, .67, .83, .92, .98, 1]
    ['top-k 2', { topK: 2 }, [0, 1]],
    ['top-k 1 is greedy', { topK: 1 }, [0]],
    ['top-p 0.5 keeps the two tokens reaching 0.5', { topP: 0.5 }, [0, 1]],
    ['top-p 0.75', { topP: 0.75 }, [0, 1, 2]],
    ['top-p 0.9', { topP: 0.9 }, [0, 1, 2, 3]],
    ['top-k 3 then top-p 0.9 of the kept', { topK: 3, topP: 0.9 }, [0, 1, 2]],
    ['top-k 3 then top-p 0.6 of the kept', { topK: 3, topP: 0.6 }, [0, 1]],
    ['no filter: every token', {}, [0, 1, 2, 3, 4, 5]],
    ['excluded tokens are never drawn', { excludeTokens: [0, 3] }, [1, 2, 4, 5]],
    ['excluded, then top-k 2 of the rest', { excludeTokens: [0], topK: 2 }, [1, 2]],
    ['greedy skips an excluded argmax', { excludeTokens: [0], topK: 1 }, [1]],
  ];
  for (const [name, options, support] of supports) {
    it(`${name}: draws only from ${JSON.stringify(support)}, each of them, renormalised`, () => {
      const freq = firstTokenFrequencies(options);
      const p = softmax(row(0), options.temperature);
      const keptMass = support.reduce((a, k) => a + p[k], 0);
      for (let k = 0; k < C; k++) {
        if (!support.includes(k)) assert.equal(freq[k], 0, `token ${k} outside the support`);
        else assert.ok(Math.abs(freq[k] - p[k] / keptMass) < 0.015, `token ${k}: ${freq[k]} vs ${p[k] / keptMass}`);
      }
    });
  }

  it('temperature sharpens (0.5) or flattens (2) the distribution as softmax(logits / T)', () => {
    for (const temperature of [0.5, 2]) {
      const freq = firstTokenFrequencies({ temperature });
      softmax(row(0), temperature).forEach((p, k) => assert.ok(Math.abs(freq[k] - p) < 0.015, `T=${temperature} token ${k}`));
    }
  });

  it('same seed gives the same text; another seed does not; generator and callback agree', () => {
    const options: SampleOptions = { prime: [0], length: 40, seed: 5 };
    const a = sample(tableModel(), options);
    assert.deepEqual(sample(tableModel(), options), a);
    assert.notDeepEqual(sample(tableModel(), { ...options, seed: 6 }), a);
    assert.deepEqual([...sampleTokens(tableModel(), options)], a);
    assert.equal(a.length, 40);
  });

  it('streams lazily: the generator steps the model only as tokens are taken', () => {
    const model = tableModel();
    const stream = sampleTokens(model, { prime: [0, 0, 0], length: 100, seed: 1 });
    assert.equal(model.steps, 0);
    stream.next(); stream.next();
    assert.equal(model.steps, 3 + 1);
  });

  it('callback returning false stops early', () => {
    const seen: number[] = [];
    const out = sample(tableModel(), { prime: [0], length: 50, seed: 2 }, (token, index) => { seen.push(token); return index < 4; });
    assert.equal(out.length, 5);
    assert.deepEqual(seen, out);
  });

  it('a stop token ends generation and is not emitted', () => {
    const full = sample(tableModel(), { prime: [0], length: 60, seed: 3 });
    const stop = full[10];
    const out = sample(tableModel(), { prime: [0], length: 60, seed: 3, stopTokens: [stop] });
    assert.deepEqual(out, full.slice(0, full.indexOf(stop)));
  });

  it('a stop string ends generation after the token that completes it, also across tokens', () => {
    const letters = 'abcdef';
    const decode = (k: number) => letters[k] + (k === 5 ? '.' : '');
    const full = sample(tableModel(), { prime: [0], length: 200, seed: 4 });
    const text = full.map(decode).join('');
    for (const stopString of [text.slice(20, 23), '.']) {
      const out = sample(tableModel(), { prime: [0], length: 200, seed: 4, stopString, decode });
      assert.ok(out.map(decode).join('').includes(stopString), `stops only once "${stopString}" is there`);
      assert.ok(!out.slice(0, -1).map(decode).join('').includes(stopString), 'stops at the first token completing it');
      assert.deepEqual(out, full.slice(0, out.length));
    }
  });

  const bad: [string, () => unknown, RegExp][] = [
    ['empty prime', () => sample(tableModel(), { prime: [], length: 3 }), /prime must hold at least one token/],
    ['negative temperature', () => new TokenPicker(new Rng(1), -1), /temperature must be a finite number ≥ 0/],
    ['top-p 0', () => new TokenPicker(new Rng(1), 1, 0, 0), /topP must be in \(0, 1\]/],
    ['stop string without decode', () => sample(tableModel(), { prime: [0], length: 3, stopString: 'x' }), /stopString needs decode/],
  ];
  for (const [name, call, message] of bad) it(`rejects ${name}`, () => assert.throws(call, message));

  it('on the engine model: step-by-step generation sees the same logits as one forward over the whole text', () => {
    for (const cell of ['lstm', 'gru'] as const) {
      const spec = { cell, vocabSize: 9, embedding: 4, hidden: 7, layers: 2, bidirectional: false, peephole: cell === 'lstm',
        resetAfter: false, activation: 'tanh' as const, dropout: 0, outputs: 9, head: 'softmax' as const, manyToOne: false };
      const model = createModel(spec, 'f64');
      initParams(spec, model.params, new Rng(2), { peephole: 'uniform' });
      const prime = [1, 4, 4];
      const greedy = sample(modelStepper(model), { prime, length: 12, temperature: 0 });
      const text = [...prime, ...greedy];
      const T = text.length - 1;
      const { logits } = model.forward({ tokens: Int32Array.from(text.slice(0, T)), T, B: 1 }, { train: false });
      for (let i = 0; i < greedy.length; i++) {
        const row = Array.from(logits.subarray((prime.length - 1 + i) * 9, (prime.length + i) * 9));
        assert.equal(greedy[i], row.indexOf(Math.max(...row)), `${cell}: token ${i}`);
      }
      const sampled = sample(modelStepper(model), { prime, length: 30, topK: 3, seed: 8 });
      assert.deepEqual(sample(modelStepper(model), { prime, length: 30, topK: 3, seed: 8 }), sampled);
    }
  });
});
