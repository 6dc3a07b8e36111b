// trainStep on real models: a char-level LSTM learns a small text (loss well under the unigram
// entropy), runs are reproducible bit for bit, a resume from checkpoint bytes continues exactly,
// and the step's metrics are consistent (group norms, clipping, lr schedule, dL/da<t>).
import { strict as assert } from 'assert';
import { decodeCheckpoint, encodeCheckpoint } from '../../../src/engine/checkpoint';
import { type Batch } from '../../../src/engine/model';
import type { ModelSpec } from '../../../src/engine/spec';
import {
  createTrainingSession, restoreSession, snapshotSession, trainStep, type StepTargets, type TrainingOptions, type TrainingSession,
} from '../../../src/engine/train-step';
import { learningRate } from '../../../src/engine/schedule';

const TEXT = `The keeper climbed the tower every evening and lit the lamp before the dark came in.
She counted the steps aloud, one hundred and twelve of them, and the wind counted with her.
When the lamp was lit she sat by the window with her tea and watched the ships go past.
The ships saw the light and turned away from the rocks, and the keeper was glad of it.
In the morning she put the lamp out, cleaned the glass, wound the clock and went to sleep.
The clock ran five minutes fast, and she never set it right, because she liked to be early.
Every evening she climbed the tower, and every morning she came down, and the sea went on.
`.repeat(3);

const chars = [...new Set(TEXT)].sort();
const ids = Int32Array.from(TEXT, (ch) => chars.indexOf(ch));
const V = chars.length;

/** Unigram entropy of the text in nats: the loss of a model that knows only character frequencies. */
function unigramEntropy(): number {
  const counts = new Map<number, number>();
  for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
  let h = 0;
  for (const c of counts.values()) h -= (c / ids.length) * Math.log(c / ids.length);
  return h;
}

/** Language-model windows: B streams over the text, window k covers steps [k*T, (k+1)*T) of each. */
function lmWindow(k: number, T: number, B: number): { batch: Batch; targets: StepTargets } {
  const streamLength = Math.floor((ids.length - 1) / B);
  const windows = Math.floor(streamLength / T);
  const start = (k % windows) * T;
  const tokens = new Int32Array(T * B), next = new Int32Array(T * B);
  for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) {
    const at = b * streamLength + start + t;
    tokens[t * B + b] = ids[at];
    next[t * B + b] = ids[at + 1];
  }
  return { batch: { tokens, T, B }, targets: { kind: 'softmax', targets: next } };
}

const lstm = (overrides: Partial<ModelSpec> = {}): ModelSpec => ({
  cell: 'lstm', vocabSize: V, embedding: 0, hidden: 32, layers: 1, bidirectional: false, peephole: false,
  resetAfter: true, activation: 'tanh', dropout: 0, outputs: V, head: 'softmax', manyToOne: false, ...overrides,
});

const adam = (overrides: Partial<TrainingOptions> = {}): TrainingOptions => ({
  optimizer: { kind: 'adam' }, schedule: { kind: 'constant', baseLr: 0.01 }, clipNorm: 5, seed: 1, ...overrides,
});

const T = 16, B = 8;
function train(session: TrainingSession, fromWindow: number, steps: number): number[] {
  const losses: number[] = [];
  for (let k = fromWindow; k < fromWindow + steps; k++) {
    const { batch, targets } = lmWindow(k, T, B);
    losses.push(trainStep(session, batch, targets, true).loss);
  }
  return losses;
}

describe('engine-train/train-step', function () {
  this.timeout(30000);

  it('a char-level LSTM learns the text: loss ends well under the unigram entropy', () => {
    const entropy = unigramEntropy();
    const losses = train(createTrainingSession(lstm(), adam({ schedule: { kind: 'constant', baseLr: 0.02 } })), 0, 100);
    const last = losses.slice(-20).reduce((a, b) => a + b, 0) / 20;
    assert.ok(Math.abs(losses[0] - Math.log(V)) < 0.1, `first loss ${losses[0]} should be near ln V = ${Math.log(V)}`);
    assert.ok(last < 0.6 * entropy, `mean of the last 20 losses ${last} vs unigram entropy ${entropy}`);
  });

  it('two runs with the same seed give identical loss sequences; another seed does not', () => {
    const spec = lstm({ embedding: 8, hidden: 16, layers: 2, dropout: 0.2 });
    const a = train(createTrainingSession(spec, adam({ seed: 3 })), 0, 30);
    assert.deepEqual(train(createTrainingSession(spec, adam({ seed: 3 })), 0, 30), a);
    assert.notDeepEqual(train(createTrainingSession(spec, adam({ seed: 4 })), 0, 30), a);
  });

  const resumeCases: [string, ModelSpec, TrainingOptions][] = [
    ['2-layer LSTM, dropout, Adam, warm-up + cosine, carried state',
      lstm({ embedding: 8, hidden: 16, layers: 2, dropout: 0.2 }),
      adam({ schedule: { kind: 'cosine', baseLr: 0.01, warmupSteps: 5, totalSteps: 40 }, clipNorm: 1 })],
    ['GRU, SGD with Nesterov momentum, step decay, f64', lstm({ cell: 'gru', hidden: 12 }),
      adam({ optimizer: { kind: 'sgd', momentum: 0.9, nesterov: true }, schedule: { kind: 'step', baseLr: 0.5, stepSize: 10, gamma: 0.5 }, dtype: 'f64' })],
  ];
  for (const [name, spec, options] of resumeCases) {
    it(`${name}: resume from checkpoint bytes at step 12 gives the same next losses`, () => {
      const straight = train(createTrainingSession(spec, options), 0, 24);
      const first = createTrainingSession(spec, options);
      const before = train(first, 0, 12);
      const bytes = encodeCheckpoint(snapshotSession(first, { window: 12 }));
      train(first, 12, 3); // the snapshot is a copy: training on does not change it
      const restored = decodeCheckpoint(bytes);
      const resumed = restoreSession(restored);
      assert.deepEqual(restored.extra, { window: 12 });
      assert.equal(resumed.step, 12);
      assert.deepEqual([...before, ...train(resumed, 12, 12)], straight);
    });
  }

  it('metrics: group norms make up the global norm, clipping at clipNorm, lr from the schedule, dL/da per step', () => {
    const spec = lstm({ embedding: 8, hidden: 16, layers: 2 });
    const schedule = { kind: 'cosine' as const, baseLr: 0.02, warmupSteps: 3, totalSteps: 10 };
    const session = createTrainingSession(spec, adam({ schedule, clipNorm: 0.05 }));
    for (let k = 0; k < 6; k++) {
      const { batch, targets } = lmWindow(k, T, B);
      const m = trainStep(session, batch, targets, true);
      assert.equal(m.step, k);
      assert.deepEqual(m.groupNorms.map((g) => g.group), ['embedding', 'layer0', 'layer1', 'head']);
      const fromGroups = Math.sqrt(m.groupNorms.reduce((a, g) => a + g.norm ** 2, 0));
      assert.ok(Math.abs(fromGroups - m.gradNorm) < 1e-9 * m.gradNorm, `${fromGroups} vs ${m.gradNorm}`);
      assert.equal(m.clipped, m.gradNorm > 0.05);
      assert.equal(m.lr, learningRate(schedule, k));
      assert.equal(m.dLda.length, T);
      assert.ok(m.dLda.every((x) => Number.isFinite(x) && x >= 0) && m.dLda[T - 1] > 0);
    }
    assert.equal(session.clipCounter.steps, 6);
    assert.ok(session.clipCounter.clipped >= 1, 'an untrained LSTM has ‖g‖ > 0.05 at least once');
  });

  it('many-to-one and sigmoid targets train too; a wrong target shape is refused with its expected shape', () => {
    const classify = createTrainingSession(lstm({ cell: 'rnn', hidden: 8, outputs: 3, manyToOne: true, bidirectional: true }), adam());
    const { batch } = lmWindow(0, 6, 4);
    const labels = Int32Array.from([0, 1, 2, 1]);
    const classifyLosses = Array.from({ length: 40 }, () => trainStep(classify, batch, { kind: 'sequence', labels }).loss);
    assert.ok(classifyLosses[39] < 0.5 * classifyLosses[0], `classification loss ${classifyLosses[0]} → ${classifyLosses[39]}`);

    const tagger = createTrainingSession(lstm({ cell: 'gru', hidden: 8, outputs: 2, head: 'sigmoid' }), adam());
    const tags = Float64Array.from({ length: 6 * 4 * 2 }, (_, i) => ((batch.tokens[Math.floor(i / 2)] + i) % 2));
    const tagLosses = Array.from({ length: 60 }, () => trainStep(tagger, batch, { kind: 'sigmoid', targets: tags }).loss);
    assert.ok(tagLosses[59] < 0.5 * tagLosses[0], `tagging loss ${tagLosses[0]} → ${tagLosses[59]}`);

    assert.throws(() => trainStep(classify, batch, { kind: 'sequence', labels: Int32Array.from([0]) }), /sequence labels has 1 values, expected \(B\) = 4/);
    assert.throws(() => trainStep(tagger, batch, { kind: 'sigmoid', targets: new Float64Array(3) }), /sigmoid targets has 3 values, expected \(T, B, C\) = 48/);
  });
});
