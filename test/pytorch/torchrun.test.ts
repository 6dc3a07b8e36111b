// The end-to-end case: a 2-layer peephole LSTM run of RNN Lab, exported as a PyTorch project,
// trained on by `torchrun --standalone --nproc-per-node 2 train.py` on CPU and by plain
// `python train.py`; the run folder it writes opens in RNN Lab.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadModel } from '../../src/pipeline/loadModel';
import { readRunStatus } from '../../src/pipeline/runStore';
import { Rng } from '../../src/engine/rng';
import { config, jsonLines, runCli, tempDir } from '../unit/cli/cliHarness';
import { nameSentence } from '../unit/cli/generators';
import { harness, maxAbs, maxAbsDiff, run, torchPython, torchrun } from './torchHarness';

const tmp = tempDir('rnnlab-pytorch-torchrun-');
after(() => tmp.cleanup());

const RUN_STEPS = 30, MORE_STEPS = 30;
const metrics = (runDir: string) => jsonLines<{ step: number; loss: number; clipped: boolean }>(fs.readFileSync(path.join(runDir, 'metrics.jsonl'), 'utf8'));

describe('pytorch: a peephole LSTM run continued by torchrun on 2 processes', function () {
  this.timeout(600_000);
  const runDir = path.join(tmp.dir, 'run');
  const resumed = path.join(tmp.dir, 'run-resumed');
  const project = path.join(tmp.dir, 'project');
  const ddp = path.join(tmp.dir, 'ddp'), single = path.join(tmp.dir, 'single');
  // Sentences of the notes' name task as plain text: small enough an alphabet that a few dozen steps show the loss falling.
  const rng = new Rng(4);
  const sentences: string[] = [];
  while (sentences.join('').length < 12_000) sentences.push(nameSentence(rng).map(([w]) => w).join(' ') + '.\n');
  const corpus = tmp.file('corpus.txt', sentences.join(''));

  before(async () => {
    tmp.file('lstm.rnnconfig', config({
      task: 'lm', data: { train: 'corpus.txt', tokenizer: 'char', validation: 0 },
      model: { cell: 'lstm', peephole: true, layers: 2, hidden: 32, embedding: 16 },
      training: { steps: RUN_STEPS, batchSize: 8, sequenceLength: 16, learningRate: 0.02, evalEvery: 10, checkpointEvery: 1000, seed: 3 },
    }));
    const trained = await runCli(['train', corpus, '--config', 'lstm.rnnconfig', '--out', runDir], tmp.dir);
    assert.equal(trained.code, 0, trained.stderr);
    // RNN Lab's own continuation of the run by one step: what the exported project's first step must give.
    fs.cpSync(runDir, resumed, { recursive: true });
    const more = await runCli(['train', resumed, '--resume', '--steps', String(RUN_STEPS + 1)], tmp.dir);
    assert.equal(more.code, 0, more.stderr);
    const exported = await runCli(['export-pytorch', runDir, project], tmp.dir);
    assert.equal(exported.code, 0, exported.stderr);

    const train = path.join(project, 'train.py');
    const [ddpRun, singleRun] = await Promise.all([
      run([...torchrun(), '--standalone', '--nproc-per-node', '2', train, corpus, '--out', ddp, '--steps', String(MORE_STEPS)], tmp.dir),
      run([torchPython(), train, corpus, '--out', single, '--steps', String(MORE_STEPS)], tmp.dir),
    ]);
    assert.equal(ddpRun.code, 0, `torchrun: ${ddpRun.stderr.slice(-3000)}`);
    assert.equal(singleRun.code, 0, `python train.py: ${singleRun.stderr.slice(-3000)}`);
  });

  it('writes the project: train.py, README.md, requirements.txt and the run it starts from', () => {
    for (const f of ['train.py', 'README.md', 'requirements.txt', 'start.json', 'start.bin']) assert.ok(fs.existsSync(path.join(project, f)), f);
    assert.doesNotMatch(fs.readFileSync(path.join(project, 'train.py'), 'utf8'), /rnn_lab|rnnlab import|import rnnlab/i);
    assert.match(fs.readFileSync(path.join(project, 'README.md'), 'utf8'), /torchrun --standalone --nproc-per-node/);
  });

  it('starts where the run stopped: its first loss is RNN Lab\'s own next one', () => {
    const first = metrics(ddp)[0];
    const expected = metrics(resumed).find((m) => m.step === RUN_STEPS + 1)!;
    const last = metrics(runDir).at(-1)!;
    assert.equal(first.step, RUN_STEPS + 1);
    assert.ok(Math.abs(first.loss - expected.loss) <= 1e-5 * expected.loss, `first loss ${first.loss}, RNN Lab's step ${RUN_STEPS + 1}: ${expected.loss}`);
    assert.ok(Math.abs(first.loss - last.loss) < 0.1 * last.loss, `first loss ${first.loss} is near the run's last ${last.loss}, not a fresh start`);
  });

  it('lowers the loss', () => {
    const losses = metrics(ddp).map((m) => m.loss);
    assert.equal(losses.length, MORE_STEPS);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    assert.ok(mean(losses.slice(-5)) < mean(losses.slice(0, 5)) - 0.1, `first five ${losses.slice(0, 5)}, last five ${losses.slice(-5)}`);
  });

  it('gives the same loss curve on 1 process as on 2', () => {
    const one = metrics(single), two = metrics(ddp);
    assert.deepEqual(one.map((m) => m.step), two.map((m) => m.step));
    one.forEach((m, k) => assert.ok(Math.abs(m.loss - two[k].loss) <= 1e-4 * m.loss, `step ${m.step}: ${m.loss} vs ${two[k].loss}`));
  });

  it('writes a run folder RNN Lab opens: status, config, metrics, model.onnx whose logits match PyTorch\'s', async () => {
    const status = readRunStatus(ddp)!;
    assert.equal(status.status, 'finished');
    assert.equal(status.step, RUN_STEPS + MORE_STEPS);
    assert.ok(fs.existsSync(path.join(ddp, 'config.rnnconfig')) && fs.existsSync(path.join(ddp, 'checkpoint.pt')));
    assert.deepEqual(Object.keys(metrics(ddp)[0]).sort(), ['clipped', 'epoch', 'gradNorm', 'loss', 'lr', 'step', 'time', 'tokensPerSec']);

    const ids = loadModel(ddp).tokenizer!.encode('Harry looked at the castle.\n');
    const [theirs] = await harness<{ logits: number[] }>([{
      mode: 'logits', trainPy: path.join(project, 'train.py'), data: corpus, out: ddp, tokens: Array.from(ids, (id) => [id]),
    }], tmp.dir);
    for (const backend of ['engine', 'ort'] as const) {
      const model = loadModel(ddp, backend);
      assert.equal(model.spec.peephole, true);
      assert.equal(model.spec.layers, 2);
      const ours = model.forward(ids, ids.length, 1);
      assert.ok(maxAbsDiff(ours, theirs.logits) <= 1e-5, `${backend}: logits differ by ${maxAbsDiff(ours, theirs.logits)} (largest ${maxAbs(ours)})`);
      model.dispose();
    }
    const sampled = await runCli(['sample', ddp, '--length', '30', '--seed', '1'], tmp.dir);
    assert.equal(sampled.code, 0, sampled.stderr);
    assert.ok(sampled.stdout.length >= 30);
  });
});
