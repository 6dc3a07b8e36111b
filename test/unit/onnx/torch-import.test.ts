// torch.onnx.export'ed models (test/fixtures/onnx, written by scripts/fixtures/torch_onnx.py) imported:
// the engine and the onnxruntime backend reproduce PyTorch's logits within 1e-5.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createModel } from '../../../src/engine/model';
import type { DType } from '../../../src/engine/tensor';
import { importModel, type ImportedModel } from '../../../src/onnx/import';
import { openOrtSession } from '../../../src/onnx/ort';
import { fixtureDir, maxDiff, swapAxes, TOLERANCE } from './helpers';

const FIXTURE_VERSION = 1;

interface Fixture {
  version: number; name: string; batchFirst: boolean;
  idsShape: [number, number]; ids: number[]; logitsShape: number[]; logits: number[];
}

const fixtures: Fixture[] = fs.readdirSync(fixtureDir).filter((f) => f.endsWith('.json')).sort()
  .map((f) => JSON.parse(fs.readFileSync(path.join(fixtureDir, f), 'utf8')) as Fixture);

/** The fixture's ids as time-major (T,B), and PyTorch's logits in the engine's layout ((T,B,C) or (B,C)). */
function engineLayout(fx: Fixture, imported: ImportedModel) {
  const [d0, d1] = fx.idsShape;
  const [T, B] = fx.batchFirst ? [d1, d0] : [d0, d1];
  const tokens = fx.batchFirst ? Int32Array.from(swapAxes(fx.ids, B, T, 1)) : Int32Array.from(fx.ids);
  const C = imported.spec.outputs;
  const perStep = !imported.spec.manyToOne;     // (T,B,C), (B,T,C) or flattened to rows (T*B,C) / (B*T,C)
  const expected = perStep && imported.layout.logitsBatchFirst ? swapAxes(fx.logits, B, T, C) : Float32Array.from(fx.logits);
  return { tokens, T, B, expected };
}

function engineDiff(fx: Fixture, dtype: DType): number {
  const imported = importModel(fs.readFileSync(path.join(fixtureDir, `${fx.name}.onnx`)), fx.name);
  const model = createModel(imported.spec, dtype);
  model.params.set(imported.params);
  const { tokens, T, B, expected } = engineLayout(fx, imported);
  return maxDiff(model.forward({ tokens, T, B }, { train: false }).logits, expected);
}

function ortDiff(fx: Fixture): number {
  const bytes = fs.readFileSync(path.join(fixtureDir, `${fx.name}.onnx`));
  const imported = importModel(bytes, fx.name);
  const ort = openOrtSession(bytes);
  try {
    const { tokens, T, B, expected } = engineLayout(fx, imported);
    return maxDiff(ort.predict(tokens, T, B), expected);
  } finally {
    ort.dispose();
  }
}

describe('onnx import of torch.onnx.export fixtures', () => {
  it('has fixtures of the expected version', () => {
    assert.ok(fixtures.length >= 10, `only ${fixtures.length} fixtures in ${fixtureDir}`);
    for (const fx of fixtures) assert.equal(fx.version, FIXTURE_VERSION, fx.name);
  });
  for (const fx of fixtures) {
    it(`${fx.name}: engine f32, engine f64 and onnxruntime match PyTorch`, () => {
      const diffs = { f32: engineDiff(fx, 'f32'), f64: engineDiff(fx, 'f64'), ort: ortDiff(fx) };
      for (const [backend, diff] of Object.entries(diffs)) assert.ok(diff < TOLERANCE, `${backend} differs from PyTorch by ${diff}`);
    });
  }
  it('recognises layouts, heads and shapes', () => {
    const table: [string, string][] = [
      ['rnn_relu_2l_bi_bf', 'rnn relu L=2 D=2 E=5 per-step batchFirst'],
      ['gru_last_step_bf', 'gru tanh L=2 D=1 E=5 many-to-one batchFirst'],
      ['lstm_final_state_bi_bf', 'lstm tanh L=2 D=2 E=5 many-to-one batchFirst'],
      ['lstm_1l_static', 'lstm tanh L=1 D=1 E=5 per-step timeFirst'],
    ];
    for (const [name, expected] of table) {
      const m = importModel(fs.readFileSync(path.join(fixtureDir, `${name}.onnx`)), name);
      const s = m.spec;
      const got = `${s.cell} ${s.activation} L=${s.layers} D=${s.bidirectional ? 2 : 1} E=${s.embedding} ` +
        `${s.manyToOne ? 'many-to-one' : 'per-step'} ${m.layout.idsBatchFirst ? 'batchFirst' : 'timeFirst'}`;
      assert.equal(got, expected, name);
      assert.match(m.warnings.join('\n'), /no RNN Lab metadata/);
    }
  });
});
