// The best model (DESIGN.md §4 "Run folders"): with validation data model.onnx holds the weights of the
// lowest validation loss and run.json says its step; checkpoint.bin stays the latest; a run folder's
// model for inference is model.onnx; a resume with --steps says the new total in the model's metadata.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { decodeCheckpoint } from '../../../src/engine/checkpoint';
import { importModel } from '../../../src/onnx';
import { readJsonLines } from '../../../src/pipeline/atomicFile';
import { loadModel } from '../../../src/pipeline/loadModel';
import { fromOnnxMetadata, stepOfMetadata } from '../../../src/pipeline/modelMeta';
import { readRunStatus } from '../../../src/pipeline/runStore';
import { startTraining } from '../../../src/pipeline/training/trainingClient';
import type { WorkerStart } from '../../../src/protocol/worker';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rnnlab-best-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));
const write = (name: string, content: string) => { const p = path.join(dir, name); fs.writeFileSync(p, content); return p; };

async function train(start: WorkerStart) {
  const handle = startTraining(start);
  const outcome = await handle.outcome;
  if (outcome.type !== 'done') throw new Error(`training failed: ${outcome.message}`);
  return outcome;
}

const metricsOf = (runDir: string) => readJsonLines<{ step: number; valLoss?: number }>(path.join(runDir, 'metrics.jsonl'));
const onnxOf = (runDir: string) => importModel(new Uint8Array(fs.readFileSync(path.join(runDir, 'model.onnx'))), 'model.onnx');
const checkpointOf = (runDir: string) => decodeCheckpoint(new Uint8Array(fs.readFileSync(path.join(runDir, 'checkpoint.bin'))), 'checkpoint.bin');

describe('the best model of a run', function () {
  this.timeout(120_000);
  // Validation text unlike the training text: its loss falls a little, then rises as the model learns
  // the training text, so early stopping ends the run after the best evaluation.
  const corpus = write('corpus.txt', 'the quick brown fox jumps over the lazy dog.\n'.repeat(40));
  const validation = write('other.txt', 'zzzz qqqq xxxx the fox\n'.repeat(20));
  const configPath = write('early.rnnconfig', JSON.stringify({
    task: 'lm', data: { train: corpus, validation },
    model: { cell: 'gru', hidden: 16, embedding: 8 },
    training: { steps: 400, batchSize: 4, sequenceLength: 16, learningRate: 0.05, evalEvery: 2, earlyStoppingPatience: 3, sampleEvery: 0, checkpointEvery: 1000 },
  }));
  const runDir = path.join(dir, 'runs', 'early');
  let outcome: Awaited<ReturnType<typeof train>>;
  before(async () => { outcome = await train({ configPath, runDir, resume: false }); });

  it('stops early, and run.json says early-stopped with the best step', () => {
    assert.equal(outcome.reason, 'early-stopped');
    const status = readRunStatus(runDir)!;
    assert.equal(status.status, 'early-stopped');
    assert.equal(status.step, outcome.step);
    assert.equal(status.bestStep, outcome.bestStep);
    assert.equal(status.modelStep, outcome.bestStep);
    assert.equal(status.bestValLoss, outcome.bestValLoss);
    const evaluations = metricsOf(runDir).filter((l) => l.valLoss !== undefined);
    const best = evaluations.reduce((a, b) => (b.valLoss! < a.valLoss! ? b : a));
    assert.equal(best.step, outcome.bestStep);
    assert.equal(best.valLoss, outcome.bestValLoss);
    assert.equal(outcome.step - outcome.bestStep!, 3 * 2, 'three evaluations of 2 steps without a better loss');
  });

  it('keeps the best weights in model.onnx and the latest in checkpoint.bin', () => {
    const onnx = onnxOf(runDir), checkpoint = checkpointOf(runDir);
    assert.equal(stepOfMetadata(onnx.metadata), outcome.bestStep);
    assert.equal(checkpoint.step, outcome.step);
    const differing = onnx.params.reduce((n, w, i) => n + (w !== checkpoint.params[i] ? 1 : 0), 0);
    assert.ok(differing > onnx.params.length / 2, `${differing} of ${onnx.params.length} weights differ between model.onnx and checkpoint.bin`);
  });

  it('gives inference on the run folder the best model, with both backends', () => {
    for (const backend of ['engine', 'ort'] as const) {
      const model = loadModel(runDir, backend);
      try {
        assert.equal(model.step, outcome.bestStep, backend);
      } finally {
        model.dispose();
      }
    }
  });
});

describe('a resumed run with more steps', function () {
  this.timeout(120_000);
  const corpus = write('resume.txt', 'abcabcabd\n'.repeat(50));
  const configPath = write('resume.rnnconfig', JSON.stringify({
    task: 'lm', data: { train: corpus, validation: 0 },
    model: { cell: 'rnn', hidden: 8, embedding: 4 },
    training: { steps: 4, batchSize: 2, sequenceLength: 8, sampleEvery: 0 },
  }));

  it('says the new total in model.onnx\'s metadata and the config snapshot', async () => {
    const runDir = path.join(dir, 'runs', 'resume');
    await train({ configPath, runDir, resume: false });
    assert.equal((fromOnnxMetadata(onnxOf(runDir).metadata, 'model.onnx').config as any).training.steps, 4);
    const done = await train({ runDir, resume: true, steps: 7 });
    assert.equal(done.step, 7);
    const onnx = onnxOf(runDir);
    assert.equal((fromOnnxMetadata(onnx.metadata, 'model.onnx').config as any).training.steps, 7);
    assert.equal(stepOfMetadata(onnx.metadata), 7, 'without validation model.onnx is the latest');
    assert.equal(readRunStatus(runDir)!.modelStep, 7);
    assert.match(fs.readFileSync(path.join(runDir, 'config.rnnconfig'), 'utf8'), /"steps": 7/);
    assert.equal((await train({ runDir, resume: true })).step, 7, 'a later resume keeps the new total');
  });
});
