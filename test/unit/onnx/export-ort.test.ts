// Engine vs onnxruntime on exported models: every cell, direction, depth, peephole and reset placement
// (plus one-hot input, many-to-one and sigmoid heads) agree within 1e-5, over a batch and step by step.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ModelSpec } from '../../../src/engine/spec';
import { exportModel } from '../../../src/onnx/export';
import { openOrtSession, type OrtModel } from '../../../src/onnx/ort';
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
const cases: ModelSpec[] = [
  ...cells.flatMap((cell, i) => shapes.map((shape, j) => spec({ ...cell, ...shape, ...variants[(i + j) % variants.length] }))),
  // One-hot over a vocabulary past MAX_IDENTITY_VOCAB: the OneHot op instead of a V×V identity.
  spec({ cell: 'lstm', vocabSize: 1100, embedding: 0, bidirectional: true }),
  spec({ cell: 'gru', vocabSize: 1100, embedding: 0, layers: 2, manyToOne: true }),
];

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
    it(`${describeSpec(s)}${s.vocabSize > 100 ? ` V=${s.vocabSize}` : ''}`, () => {
      const { batch, steps } = compareBackends(s, 100 + i);
      assert.ok(batch < TOLERANCE, `batch logits differ by ${batch}`);
      assert.ok(steps < TOLERANCE, `step logits/state differ by ${steps}`);
    });
  });
});

describe('onnx ort session', () => {
  const s = spec({ cell: 'gru', outputs: 6 });
  const bytes = exportModel(s, randomModel(s, 9).params as Float32Array, { 'rnnlab.task': '"lm"' });

  it('opens a file path as well as bytes, with the same results', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'rnnlab-ort-')), 'm.onnx');
    fs.writeFileSync(file, bytes);
    const fromFile = openOrtSession(file), fromBytes = openOrtSession(bytes);
    try {
      const tokens = Int32Array.from([1, 2, 3, 4]);
      assert.deepEqual(fromFile.predict(tokens, 2, 2), fromBytes.predict(tokens, 2, 2));
      assert.deepEqual(fromFile.metadata, { 'rnnlab.task': '"lm"' });
      assert.deepEqual(fromFile.warnings, []);
    } finally {
      fromFile.dispose();
      fromBytes.dispose();
      fs.rmSync(path.dirname(file), { recursive: true, force: true });
    }
  });

  const misuse: [string, (ort: OrtModel) => unknown, RegExp][] = [
    ['a token outside the vocabulary (predict)', (ort) => ort.predict(Int32Array.from([1, 6]), 2, 1), /ort predict at t=1, b=0: token 6 is outside the vocabulary 0\.\.5/],
    ['a token outside the vocabulary (step)', (ort) => ort.step(-1, ort.initialState()), /ort step: token -1 is outside the vocabulary/],
    ['tokens that do not fill T*B', (ort) => ort.predict(Int32Array.from([1, 2, 3]), 2, 2), /tokens has 3 ids, expected T\*B = 4/],
    ['use after dispose', (ort) => { ort.dispose(); return ort.predict(Int32Array.from([1]), 1, 1); }, /the onnxruntime session was disposed/],
  ];
  for (const [what, use, message] of misuse) {
    it(`refuses ${what}`, () => {
      const ort = openOrtSession(bytes);
      try {
        assert.throws(() => use(ort), message);
      } finally {
        ort.dispose();
      }
    });
  }
});
