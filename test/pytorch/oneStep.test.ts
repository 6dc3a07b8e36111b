// One step of the exported train.py and one step of RNN Lab on the same first batch, for every cell
// kind and option: the same vocabulary, initial weights (from the seed), loss and gradients (float32,
// ≤ 1e-5), and the same weights after the optimizer's first update. The project is exported from the
// config, so everything (tokenizer, data split, batching, init) is the script's own.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { sequenceCrossEntropy, sigmoidCrossEntropy, softmaxCrossEntropy } from '../../src/engine/loss';
import { Rng } from '../../src/engine/rng';
import { trainStep } from '../../src/engine/train-step';
import { exportPyTorchProject } from '../../src/pipeline/exportPyTorch';
import { recurrentFeed } from '../../src/pipeline/training/feed';
import { isSeq2SeqSession, openRun } from '../../src/pipeline/training/runSetup';
import { nameSentence, taggedFile, topicLines } from '../unit/cli/generators';
import { tempDir } from '../unit/cli/cliHarness';
import { harness, maxAbs, maxAbsDiff } from './torchHarness';

const tmp = tempDir('rnnlab-pytorch-step-');
after(() => tmp.cleanup());

// Text with what the tokenizers must agree on: accents and marks, inner apostrophes (both kinds),
// digits, punctuation, an emoji (two UTF-16 units), CRLF and lone CR line breaks, tabs, no-break spaces.
const lmText = Array.from({ length: 12 }, (_, i) =>
  `Élise's café n'était pas “fermé” — it’s ${i * 7} km from Zürich 😀; naïve coöperation\u00a0again.\r\n`
  + `Harry Potter and Hermione\tGranger invented a new spell (n° ${i}).\rDon't stop!\n`).join('');

const files = {
  'lm.txt': lmText,
  'tag.tsv': taggedFile(Array.from({ length: 40 }, ((rng) => () => nameSentence(rng))(new Rng(5)))),
  'classify.tsv': topicLines(new Rng(6), 40).join('\n') + '\n',
};

interface Case {
  readonly name: string;
  readonly data: keyof typeof files;
  readonly config: Record<string, unknown>;
}

const training = (over: Record<string, unknown> = {}) => ({ steps: 5, batchSize: 6, sequenceLength: 12, clipNorm: 0, seed: 11, ...over });

const CASES: Case[] = [
  { name: 'rnn tanh, 2 layers, char lm, adam', data: 'lm.txt',
    config: { task: 'lm', data: { tokenizer: 'char' }, model: { cell: 'rnn', hidden: 8, embedding: 6, layers: 2 }, training: training() } },
  { name: 'rnn relu, bidirectional one-hot tagger, sgd nesterov', data: 'tag.tsv',
    config: { task: 'tag', model: { cell: 'rnn', activation: 'relu', hidden: 7, embedding: 0, bidirectional: true },
      training: training({ optimizer: 'sgd', learningRate: 0.5, momentum: 0.9, nesterov: true }) } },
  { name: 'gru reset after, 2 layers, word lm (lowercase), rmsprop, clipped', data: 'lm.txt',
    config: { task: 'lm', data: { tokenizer: 'word', lowercase: true, minCount: 2 }, model: { cell: 'gru', resetAfter: true, hidden: 8, embedding: 5, layers: 2 },
      training: training({ optimizer: 'rmsprop', learningRate: 0.01, clipNorm: 0.05 }) } },
  { name: 'gru reset before, 2 bidirectional layers, classifier, adagrad', data: 'classify.tsv',
    config: { task: 'classify', data: { tokenizer: 'word' }, model: { cell: 'gru', resetAfter: false, hidden: 6, embedding: 5, layers: 2, bidirectional: true },
      training: training({ optimizer: 'adagrad', learningRate: 0.1 }) } },
  { name: 'gru reset before, one-hot char lm, sgd', data: 'lm.txt',
    config: { task: 'lm', data: { tokenizer: 'char' }, model: { cell: 'gru', resetAfter: false, hidden: 9, embedding: 0 },
      training: training({ optimizer: 'sgd', learningRate: 1 }) } },
  { name: 'lstm, bidirectional sigmoid tagger, adamw, orthogonal init', data: 'tag.tsv',
    config: { task: 'tag', model: { cell: 'lstm', hidden: 6, embedding: 4, bidirectional: true, head: 'sigmoid', init: 'orthogonal' },
      training: training({ optimizer: 'adamw', weightDecay: 0.01 }) } },
  { name: 'lstm peephole, 2 bidirectional layers, char classifier, cosine warm-up', data: 'classify.tsv',
    config: { task: 'classify', data: { tokenizer: 'char' }, model: { cell: 'lstm', peephole: true, hidden: 5, embedding: 4, layers: 2, bidirectional: true },
      training: training({ schedule: 'cosine', warmupSteps: 3 }) } },
  { name: 'lstm peephole, 2 layers, char lm, sgd momentum', data: 'lm.txt',
    config: { task: 'lm', data: { tokenizer: 'char', validation: 0.2 }, model: { cell: 'lstm', peephole: true, hidden: 8, embedding: 6, layers: 2 },
      training: training({ optimizer: 'sgd', learningRate: 0.5, momentum: 0.5 }) } },
];

interface TorchStep { torch: string; vocab: string[]; labels: string[]; loss: number; gradNorm: number; init: number[]; grads: number[]; after: number[] }
interface LabStep { vocab: readonly string[]; labels: readonly string[]; loss: number; init: Float32Array; grads: Float32Array; after: Float32Array; optimizer: string }

/** RNN Lab's first step of a fresh run of `configPath`: loss and gradients from forward and backward, then the full update. */
async function rnnLabStep(configPath: string, runDir: string): Promise<LabStep> {
  const run = await openRun({ configPath, runDir, resume: false }, () => undefined);
  const session = run.session;
  if (isSeq2SeqSession(session)) throw new Error('these cases are recurrent models');
  const { model } = session;
  const next = recurrentFeed(run).next();
  const init = Float32Array.from(model.params);
  model.zeroGrads();
  const out = model.forward(next.batch, { train: true, rng: run.session.rngs.dropout });
  const rows = next.batch.T * next.batch.B, C = model.spec.outputs;
  const t = next.targets;
  const loss = t.kind === 'softmax' ? softmaxCrossEntropy(out.logits, t.targets, out.dLogits, rows, C, out.mask)
    : t.kind === 'sigmoid' ? sigmoidCrossEntropy(out.logits, t.targets, out.dLogits, rows, C, out.mask)
      : sequenceCrossEntropy(out.logits, t.labels, out.dLogits, next.batch.B, C);
  model.backward(out.dLogits);
  const grads = Float32Array.from(model.grads);
  trainStep(session, next.batch, next.targets, next.carry);
  return { vocab: run.dataset.tokenizer.spec.vocab, labels: run.dataset.labels, loss, init, grads, after: Float32Array.from(model.params), optimizer: run.config.training.optimizer };
}

describe('pytorch: one step of the exported train.py equals one step of RNN Lab', function () {
  this.timeout(600_000);
  const lab: LabStep[] = [];
  let torch: TorchStep[] = [];

  before(async () => {
    for (const [name, text] of Object.entries(files)) tmp.file(name, text);
    const cases = [];
    for (const [i, c] of CASES.entries()) {
      const config = { ...c.config, data: { ...(c.config.data as object), train: c.data } };
      const configPath = tmp.file(`case${i}.rnnconfig`, JSON.stringify(config, null, 2));
      lab.push(await rnnLabStep(configPath, path.join(tmp.dir, `lab${i}`)));
      const project = path.join(tmp.dir, `project${i}`);
      exportPyTorchProject(configPath, project);
      cases.push({ mode: 'step', trainPy: path.join(project, 'train.py'), data: path.join(tmp.dir, c.data), out: path.join(tmp.dir, `torch${i}`) });
    }
    torch = await harness<TorchStep>(cases, tmp.dir);
    assert.equal(torch.length, CASES.length);
  });

  CASES.forEach((c, i) => {
    it(c.name, () => {
      const ours = lab[i], theirs = torch[i];
      assert.deepEqual(theirs.vocab, ours.vocab, 'vocabulary');
      assert.deepEqual(theirs.labels, ours.labels, 'labels');
      assert.ok(maxAbsDiff(theirs.init, ours.init) <= 1e-7, `initial weights differ by ${maxAbsDiff(theirs.init, ours.init)}`);
      const lossDiff = Math.abs(theirs.loss - ours.loss) / Math.max(1, Math.abs(ours.loss));
      assert.ok(lossDiff <= 1e-5, `loss ${theirs.loss} (torch ${theirs.torch}) vs ${ours.loss}: ${lossDiff}`);
      const gradDiff = maxAbsDiff(theirs.grads, ours.grads) / Math.max(1, maxAbs(ours.grads));
      assert.ok(gradDiff <= 1e-5, `gradients differ by ${gradDiff} (largest |g| ${maxAbs(ours.grads)})`);
      assert.ok(maxAbs(ours.grads) > 1e-3, 'the gradients are not all zero');
      // Adaptive optimizers divide by √(g²) on their first step, so a gradient within float noise of 0
      // may take either sign: compare the update where the gradient is clearly not 0.
      const clear = ours.optimizer === 'sgd' ? ours.grads.map(() => 1) : ours.grads.map((g) => (Math.abs(g) > 1e-3 ? 1 : 0));
      const afterDiff = maxAbsDiff(theirs.after.map((v, k) => v * clear[k]), Array.from(ours.after, (v, k) => v * clear[k]));
      assert.ok(afterDiff <= 1e-5, `weights after the first update differ by ${afterDiff}`);
      assert.ok(!fs.existsSync(path.join(tmp.dir, `torch${i}`)), 'a step alone writes no run folder');
    });
  });
});
