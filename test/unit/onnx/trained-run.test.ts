// A trained run's model.onnx (written by the trainer beside its checkpoint): greedy sampling
// (temperature 0) of 200 tokens gives the same tokens with the engine (checkpoint) and onnxruntime,
// and the step logits along the way agree.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { sample } from '../../../src/engine/sampler';
import { main } from '../../../src/cli/main';
import type { CliIO } from '../../../src/cli/output';
import { loadModel } from '../../../src/pipeline/loadModel';

const REPO = path.resolve(__dirname, '../../../..');
const quietIO: CliIO = { out: () => undefined, err: () => undefined, isTTY: false, onInterrupt: () => () => undefined };

describe('onnx: a trained run through both backends', function () {
  this.timeout(60_000);
  let dir = '';
  before(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rnnlab-onnx-run-')); });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('greedy sampling of 200 tokens from model.onnx matches the engine token for token', async () => {
    fs.copyFileSync(path.join(REPO, 'samples', 'corpus.txt'), path.join(dir, 'corpus.txt'));
    fs.writeFileSync(path.join(dir, 'lm.rnnconfig'), JSON.stringify({
      task: 'lm', data: { train: 'corpus.txt', tokenizer: 'char' },
      model: { cell: 'lstm', hidden: 24, layers: 2, embedding: 12 },
      training: { steps: 60, batchSize: 16, sequenceLength: 24, learningRate: 0.01, seed: 5, evalEvery: 60 },
    }));
    const runDir = path.join(dir, 'run');
    const code = await main(['train', path.join(dir, 'corpus.txt'), '--config', path.join(dir, 'lm.rnnconfig'), '--out', runDir], quietIO);
    assert.equal(code, 0, 'training failed');
    assert.ok(fs.existsSync(path.join(runDir, 'model.onnx')), 'the trainer wrote no model.onnx');

    const engine = loadModel(runDir, 'engine');
    const ort = loadModel(runDir, 'ort');
    try {
      const prime = engine.tokenizer!.primeIds('The ');
      const options = { prime, length: 200, temperature: 0 };
      const engineTokens = sample(engine.stepper, options);
      const ortTokens = sample(ort.stepper, options);
      assert.equal(engineTokens.length, 200);
      assert.deepEqual(ortTokens, engineTokens);
      // A short training run may loop on a few tokens, so also compare the logits along the whole path.
      const engineState = engine.stepper.initialState(), ortState = ort.stepper.initialState();
      let worst = 0;
      for (const token of [...prime, ...engineTokens]) {
        const a = engine.stepper.step(token, engineState), b = ort.stepper.step(token, ortState);
        for (let c = 0; c < a.length; c++) worst = Math.max(worst, Math.abs(a[c] - b[c]));
      }
      assert.ok(worst < 1e-4, `step logits differ by ${worst}`);
    } finally {
      engine.dispose();
      ort.dispose();
    }
  });
});
