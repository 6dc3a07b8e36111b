// The dashboard's overfitting rule: the validation loss rising at each of the last three evaluations
// while the mean training loss between evaluations falls, and nothing said otherwise.
import * as assert from 'node:assert/strict';
import { detectOverfitting, overfittingWarning, type LossPoint } from '../../../webview/dashboard/overfitting';

/** A curve from training losses (one per step, from step 1) and validation losses at some steps. */
function curve(train: number[], val: Record<number, number>): LossPoint[] {
  return train.map((loss, i) => ({ step: i + 1, loss, ...(val[i + 1] !== undefined ? { valLoss: val[i + 1] } : {}) }));
}

const falling = [3, 2.8, 2.6, 2.5, 2.4, 2.3, 2.2, 2.1, 2.0, 1.9, 1.8, 1.7];

describe('dashboard: overfitting rule', () => {
  const cases: { name: string; points: LossPoint[]; expected: ReturnType<typeof detectOverfitting> }[] = [
    { name: 'validation rising at the last three evaluations while training falls',
      points: curve(falling, { 3: 2.5, 6: 2.4, 9: 2.45, 12: 2.6 }),
      // train before step 6 (steps 4..6): (2.5 + 2.4 + 2.3) / 3 = 2.4; before step 12 (10..12): 1.8
      expected: { fromStep: 6, toStep: 12, valFrom: 2.4, valTo: 2.6, trainFrom: 2.4, trainTo: (1.9 + 1.8 + 1.7) / 3 } },
    { name: 'exactly three evaluations: the first interval starts at the first step',
      points: curve(falling.slice(0, 9), { 3: 2.3, 6: 2.35, 9: 2.4 }),
      expected: { fromStep: 3, toStep: 9, valFrom: 2.3, valTo: 2.4, trainFrom: (3 + 2.8 + 2.6) / 3, trainTo: (2.2 + 2.1 + 2.0) / 3 } },
    { name: 'both falling: learning, not overfitting', points: curve(falling, { 3: 2.7, 6: 2.5, 9: 2.3, 12: 2.1 }), expected: null },
    { name: 'validation rose once, then fell again', points: curve(falling, { 3: 2.5, 6: 2.4, 9: 2.6, 12: 2.55 }), expected: null },
    { name: 'validation flat is not rising', points: curve(falling, { 6: 2.4, 9: 2.4, 12: 2.5 }), expected: null },
    { name: 'both rising: diverging, not overfitting',
      points: curve([...falling].reverse(), { 3: 2.0, 6: 2.1, 9: 2.2, 12: 2.3 }), expected: null },
    { name: 'two evaluations are too few to say', points: curve(falling, { 6: 2.4, 12: 2.6 }), expected: null },
    { name: 'no validation data', points: curve(falling, {}), expected: null },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = detectOverfitting(c.points);
      if (c.expected === null || got === null) return assert.equal(got, c.expected);
      for (const k of Object.keys(c.expected) as (keyof typeof c.expected)[]) {
        assert.ok(Math.abs(got[k] - c.expected[k]) < 1e-12, `${k}: ${got[k]} vs ${c.expected[k]}`);
      }
    });
  }

  it('says it in words, with the step model.onnx holds', () => {
    const o = detectOverfitting(curve(falling, { 3: 2.5, 6: 2.4, 9: 2.45, 12: 2.6 }))!;
    assert.equal(overfittingWarning(o, 6),
      'Overfitting: the validation loss rose at each of the last 3 evaluations (2.400 → 2.600, steps 6–12) while the training '
      + 'loss fell (2.400 → 1.800): the model is learning the training data by heart. model.onnx keeps the best weights, '
      + 'from step 6. More data, dropout, a smaller model or early stopping (training.earlyStoppingPatience) help.');
  });
});
