// The trainer in its worker: stop keeps a checkpoint, resume continues the step count, two runs at
// once, the NaN/Inf guard, early stopping on validation loss. Tiny models: this is about control flow.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { WorkerStart, WorkerToHost } from '../../../src/protocol/worker';
import { readJsonLines } from '../../../src/pipeline/atomicFile';
import { listRuns, readRunStatus } from '../../../src/pipeline/runStore';
import { startTraining } from '../../../src/pipeline/training/trainingClient';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rnnlab-train-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));
const write = (name: string, content: string) => { const p = path.join(dir, name); fs.writeFileSync(p, content); return p; };
const text = 'the quick brown fox jumps over the lazy dog.\n'.repeat(40);
const corpus = write('corpus.txt', text);

/** A config file for a small char LM; `training` fields override. */
function lmConfig(name: string, training: Record<string, unknown>, model: Record<string, unknown> = {}, data: Record<string, unknown> = {}): string {
  return write(name, JSON.stringify({
    task: 'lm', data: { train: corpus, validation: 0.1, ...data },
    model: { cell: 'gru', hidden: 16, embedding: 8, ...model },
    training: { batchSize: 4, sequenceLength: 16, learningRate: 0.01, evalEvery: 5, sampleEvery: 1000, ...training },
  }));
}

/** Runs to the end; `onMessage` may act on messages (e.g. stop). */
async function train(start: WorkerStart, onMessage?: (m: WorkerToHost, stop: () => void) => void) {
  const handle = startTraining(start);
  const messages: WorkerToHost[] = [];
  handle.onMessage((m) => { messages.push(m); onMessage?.(m, () => handle.stop()); });
  const outcome = await handle.outcome;
  return { outcome, messages };
}

describe('pipeline/trainer in a worker', function () {
  this.timeout(60_000);

  it('stops on request with a checkpoint, and a resume continues the step count', async () => {
    const runDir = path.join(dir, 'runs', 'stop');
    const first = await train({ configPath: lmConfig('stop.rnnconfig', { steps: 1000 }), runDir, resume: false },
      (m, stop) => { if (m.type === 'progress' && m.progress.step >= 3) stop(); });
    assert.equal(first.outcome.type, 'done');
    assert.equal(first.outcome.type === 'done' && first.outcome.reason, 'stopped');
    const stoppedAt = first.outcome.type === 'done' ? first.outcome.step : -1;
    assert.ok(fs.existsSync(path.join(runDir, 'checkpoint.bin')));
    assert.equal(readRunStatus(runDir)?.status, 'stopped');
    assert.equal(listRuns(path.join(dir, 'runs'))[0].status, 'stopped');

    const second = await train({ runDir, resume: true, steps: stoppedAt + 4 });
    const best = second.outcome as { bestValLoss?: number; bestStep?: number };
    assert.deepEqual(second.outcome, { type: 'done', reason: 'finished', step: stoppedAt + 4, bestValLoss: best.bestValLoss, bestStep: best.bestStep });
    const steps = readJsonLines<{ step: number }>(path.join(runDir, 'metrics.jsonl')).map((l) => l.step);
    assert.deepEqual(steps, Array.from({ length: stoppedAt + 4 }, (_, i) => i + 1));
    assert.equal(readRunStatus(runDir)?.status, 'finished');
  });

  it('a stopped run ends with its last step reported, in metrics.jsonl and in gradients.jsonl; a resume continues both', async () => {
    const runDir = path.join(dir, 'runs', 'last-step');
    // Stopped at its first report: the steps it trains until it reads the request fall between reports.
    const first = await train({ configPath: lmConfig('last-step.rnnconfig', { steps: 1000, evalEvery: 1000 }), runDir, resume: false },
      (m, stop) => { if (m.type === 'progress') stop(); });
    assert.equal(first.outcome.type, 'done');
    const stoppedAt = first.outcome.type === 'done' ? first.outcome.step : -1;
    const reports = first.messages.filter((m) => m.type === 'progress').map((m) => m.progress.step);
    assert.equal(reports.at(-1), stoppedAt, `the last report is the last step (reports ${reports.join(',')})`);
    const types = first.messages.map((m) => m.type);
    assert.ok(types.lastIndexOf('progress') < types.indexOf('done'), 'reported before done');
    const metricSteps = () => readJsonLines<{ step: number }>(path.join(runDir, 'metrics.jsonl')).map((l) => l.step);
    const windows = () => readJsonLines<{ step: number; norms: number[]; clipped: boolean }>(path.join(runDir, 'gradients.jsonl'));
    assert.equal(metricSteps().at(-1), stoppedAt);
    assert.deepEqual(windows().map((w) => w.step), Array.from({ length: stoppedAt }, (_, i) => i + 1), 'a window a step (1000 steps < 2000)');
    const w = windows()[0];
    assert.equal(w.norms.length, 16, 'T = sequenceLength norms');
    assert.ok(w.norms.every((x) => Number.isFinite(x) && x >= 0) && typeof w.clipped === 'boolean');

    const second = await train({ runDir, resume: true, steps: stoppedAt + 3 });
    assert.equal(second.outcome.type, 'done');
    assert.deepEqual(windows().map((x) => x.step), Array.from({ length: stoppedAt + 3 }, (_, i) => i + 1));
    assert.deepEqual(metricSteps(), Array.from({ length: stoppedAt + 3 }, (_, i) => i + 1));
  });

  it('trains two runs at once', async () => {
    const [a, b] = await Promise.all([
      train({ configPath: lmConfig('a.rnnconfig', { steps: 6 }), runDir: path.join(dir, 'runs', 'a'), resume: false }),
      train({ configPath: lmConfig('b.rnnconfig', { steps: 6 }, { cell: 'lstm' }), runDir: path.join(dir, 'runs', 'b'), resume: false }),
    ]);
    assert.equal(a.outcome.type, 'done');
    assert.equal(b.outcome.type, 'done');
    assert.ok(a.messages.some((m) => m.type === 'progress') && b.messages.some((m) => m.type === 'progress'));
  });

  it('stops a diverging run with a message saying what to change', async () => {
    const runDir = path.join(dir, 'runs', 'nan');
    const { outcome } = await train({
      configPath: lmConfig('nan.rnnconfig', { steps: 50, optimizer: 'adam', learningRate: 10, clipNorm: 0 }, { cell: 'rnn', activation: 'relu', hidden: 64, embedding: 0, layers: 2 }),
      runDir, resume: false,
    });
    assert.equal(outcome.type, 'error');
    assert.match(outcome.type === 'error' ? outcome.message : '', /^training diverged at step \d+: the (loss|gradient norm) became (NaN|Infinity|-Infinity)\. Lower training\.learningRate \(now 10, try 1\), and set training\.clipNorm/);
    assert.equal(outcome.type === 'error' && outcome.badInput, false);
    assert.equal(readRunStatus(runDir)?.status, 'failed');
  });

  it('stops early when the validation loss stops improving', async () => {
    // Validation text unlike the training text: its loss rises as the model learns the training text.
    const validation = write('other.txt', 'zzzz qqqq xxxx\n'.repeat(20));
    const { outcome } = await train({
      configPath: lmConfig('early.rnnconfig', { steps: 400, evalEvery: 2, earlyStoppingPatience: 2, learningRate: 0.05 }, {}, { validation }),
      runDir: path.join(dir, 'runs', 'early'), resume: false,
    });
    assert.equal(outcome.type === 'done' && outcome.reason, 'early-stopped');
    assert.ok(outcome.type === 'done' && outcome.step < 400);
  });

  it('trains a tagger with a sigmoid head (the notes\' binary name labels)', async () => {
    const sentences = ['Harry\t1\nPotter\t1\nran\t0\n', 'Hermione\t1\nsmiled\t0\n', 'the\t0\nowl\t0\nflew\t0\n'];
    const data = write('names.tsv', Array.from({ length: 30 }, (_, i) => sentences[i % 3]).join('\n'));
    const configPath = write('sigmoid.rnnconfig', JSON.stringify({
      task: 'tag', data: { train: data, tokenizer: 'word', validation: 0.2 }, model: { cell: 'lstm', hidden: 12, embedding: 8, head: 'sigmoid' },
      training: { steps: 40, batchSize: 8, learningRate: 0.05, evalEvery: 40 },
    }));
    const runDir = path.join(dir, 'runs', 'sigmoid');
    const { outcome } = await train({ configPath, runDir, resume: false });
    assert.equal(outcome.type, 'done');
    const last = readJsonLines<{ valAccuracy?: number }>(path.join(runDir, 'metrics.jsonl')).pop();
    assert.equal(last?.valAccuracy, 1);
  });

  it('a stopped and resumed run has the same losses as one that ran through (lm and tag)', async () => {
    // Configured far longer than it runs (5000 steps: metrics.jsonl still has every step): the stop
    // always arrives before the end, wherever it lands
    // (a 12-step run could finish before its first progress report on a busy machine).
    const tagged = write('resume.tsv', Array.from({ length: 24 }, (_, i) => `w${i % 5}\t${i % 2}\nx${i % 3}\t0\n`).join('\n'));
    const configs = [
      lmConfig('resume-lm.rnnconfig', { steps: 5000, evalEvery: 4 }, { cell: 'lstm', layers: 2, dropout: 0.2 }),
      write('resume-tag.rnnconfig', JSON.stringify({ task: 'tag', data: { train: tagged, tokenizer: 'word' }, model: { cell: 'gru', hidden: 8, embedding: 4 }, training: { steps: 5000, batchSize: 5, evalEvery: 4 } })),
    ];
    for (const [k, configPath] of configs.entries()) {
      const through = path.join(dir, 'runs', `through-${k}`), resumed = path.join(dir, 'runs', `resumed-${k}`);
      const first = await train({ configPath, runDir: resumed, resume: false }, (m, stop) => { if (m.type === 'progress' && m.progress.step >= 2) stop(); });
      assert.equal(first.outcome.type === 'done' && first.outcome.reason, 'stopped');
      const end = (first.outcome.type === 'done' ? first.outcome.step : 0) + 6;
      await train({ runDir: resumed, resume: true, steps: end });
      await train({ configPath, runDir: through, resume: false, steps: end });
      const losses = (runDir: string) => readJsonLines<{ step: number; loss: number; valLoss?: number }>(path.join(runDir, 'metrics.jsonl')).map((l) => [l.step, l.loss, l.valLoss]);
      assert.equal(losses(through).length, end);
      assert.deepEqual(losses(resumed), losses(through));
    }
  });
});
