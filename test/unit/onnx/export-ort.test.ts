// Engine vs onnxruntime on exported models: every cell, direction, depth, peephole and reset placement
// (plus one-hot input, many-to-one and sigmoid heads) agree within 1e-5, over a batch and step by step.
import * as assert from 'node:assert/strict';
import type { ModelSpec } from '../../../src/engine/spec';
import { exportModel } from '../../../src/onnx/export';
import { openOrtSession } from '../../../src/onnx/ort';
import { describeSpec, maxDiff, randomModel, randomTokens, spec, TOLERANCE } from './helpers';

const cells: Partial<ModelSpec>[] = [
  { cell: 'rnn', activation: 'tanh' }, { cell: 'rnn', activation: 'relu' },
  { cell: 'gru', resetAfter: true }, { cell: 'gru', resetAfter: false },
  { cell: 'lstm' }, { cell: 'lstm', peephole: true },
];
const shapes: Partial<ModelSpec>[] = [
  { layers: 1, bidirectional: false }, { layers: 1, bidirectional: true },
  { layers: 2, bidirectional: false }, { layers: 2, bidirectional: true },
];
// Every cell × shape, cycling the input kind and head so each appears with every cell.
const variants: Partial<ModelSpec>[] = [
  { embedding: 4 }, { embedding: 0 }, { embedding: 4, manyToOne: true }, { embedding: 0, head: 'sigmoid' },
];
const cases: ModelSpec[] = cells.flatMap((cell, i) =>
  shapes.map((shape, j) => spec({ ...cell, ...shape, ...variants[(i + j) % variants.length] })));

function compareBackends(s: ModelSpec, seed: number): { batch: number; steps: number } {
  const model = randomModel(s, seed);
  const ort = openOrtSession(exportModel(s, model.params as Float32Array, {}));
  try {
    const T = 5, B = 3;
    const tokens = randomTokens(seed, T * B, s.vocabSize);
    const engineLogits = model.forward({ tokens, T, B }, { train: false }).logits;
    const batch = maxDiff(engineLogits, ort.predict(tokens, T, B));
    let steps = 0;
    const engineState = model.initialState(1), ortState = ort.initialState();
    for (let t = 0; t < 6; t++) {
      const token = tokens[t];
      const e = Float32Array.from(model.step(token, engineState));
      steps = Math.max(steps, maxDiff(e, ort.step(token, ortState)), maxDiff(engineState.h, ortState.h));
      if (engineState.c) steps = Math.max(steps, maxDiff(engineState.c, ortState.c!));
    }
    return { batch, steps };
  } finally {
    ort.dispose();
  }
}

describe('onnx export: engine and onnxruntime agree', () => {
  cases.forEach((s, i) => {
    it(describeSpec(s), () => {
      const { batch, steps } = compareBackends(s, 100 + i);
      assert.ok(batch < TOLERANCE, `batch logits differ by ${batch}`);
      assert.ok(steps < TOLERANCE, `step logits/state differ by ${steps}`);
    });
  });
});
