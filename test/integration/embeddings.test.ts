// The Embeddings panel and Debias Word Vectors… in a real extension host: a small word2vec run is
// trained here; a panel built by the test (its transport recording the typed messages) gets the
// space, the real webview projects it in its web worker and says so, and the host answers the
// webview's neighbour and analogy queries from the inference worker. Waits are on messages.
import { strict as assert } from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { RnnLabApi } from '../../src/protocol/api';
import type { EmbeddingsToHost, HostToEmbeddings } from '../../src/protocol/embeddings';
import { EmbeddingsPanel, embeddingsViewType } from '../../src/host/embeddings/embeddingsPanel';
import { InferenceClient } from '../../src/pipeline/inference/inferenceClient';
import { startTraining } from '../../src/pipeline/training/trainingClient';
import { readVectorsFile } from '../../src/pipeline/vectorsFile';
import { TransportRecorder } from './transports';

const extensionId = 'rnn-lab.rnn-lab';
type Sent<T extends HostToEmbeddings['type']> = Extract<HostToEmbeddings, { type: T }>;
const isSent = <T extends HostToEmbeddings['type']>(type: T) => (m: HostToEmbeddings): m is Sent<T> => m.type === type;

describe('the Embeddings panel in the editor', function () {
  this.timeout(240_000);
  let extension: vscode.Extension<RnnLabApi>;
  let dir: string, runDir: string;

  before(async () => {
    extension = vscode.extensions.getExtension<RnnLabApi>(extensionId)!;
    await extension.activate();
    dir = fs.mkdtempSync(path.join(vscode.workspace.workspaceFolders![0].uri.fsPath, 'embeddings-it-'));
    const corpus = path.join(dir, 'capitals.txt');
    fs.writeFileSync(corpus, execFileSync(process.execPath, [path.join(extension.extensionPath, 'scripts', 'corpora', 'capitals.mjs'), '--sentences', '4000'],
      { encoding: 'utf8', env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } }));
    const configPath = path.join(dir, 'embed.rnnconfig');
    fs.writeFileSync(configPath, JSON.stringify({ task: 'embed', data: { train: 'capitals.txt', minCount: 3 }, model: { embedding: 24 }, training: { epochs: 5 } }));
    runDir = path.join(dir, 'embed-run');
    const outcome = await startTraining({ configPath, runDir, resume: false }).outcome;
    if (outcome.type === 'error') throw new Error(`training: ${outcome.message}`);
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('sends the space, the webview projects it, and neighbour, analogy and select queries are answered over every word', async () => {
    const recorder = new TransportRecorder();
    const client = new InferenceClient();
    const panel = new EmbeddingsPanel(extension.extensionUri, client, recorder.connect);
    try {
      panel.show(runDir);
      const t = await recorder.nth<HostToEmbeddings, EmbeddingsToHost>(embeddingsViewType);
      const space = (await t.sentMatching('the space', isSent('space'), 90_000)).space;
      assert.deepEqual([space.words.length, space.E, space.drawn, space.origin], [74, 24, 74, 'embed']);
      assert.equal(space.vectors.length, 74 * 24);
      const projected = await t.receivedMatching('the projection', (m): m is Extract<EmbeddingsToHost, { type: 'projected' }> => m.type === 'projected', 90_000);
      assert.deepEqual(projected, { type: 'projected', method: 'pca', dims: 2, points: 74 });

      await t.deliver({ type: 'neighbors', word: 'pasta', k: 5 });
      const near = await t.sentMatching('neighbours of pasta', (m): m is Sent<'neighbors'> => m.type === 'neighbors' && m.word === 'pasta');
      const italian = ['ciao', 'gondola', 'espresso', 'pizza', 'grazie'];
      assert.ok(near.neighbors.filter((n) => italian.includes(n.word)).length >= 4, `neighbours of pasta: ${near.neighbors.map((n) => n.word)}`);
      assert.deepEqual(near.placed.words, ['pasta', ...near.neighbors.map((n) => n.word)]);
      assert.equal(near.placed.vectors.length, 6 * 24);

      await t.deliver({ type: 'analogy', a: 'paris', b: 'rome', c: 'seine', k: 3 });
      const analogy = await t.sentMatching('the analogy', isSent('analogy'));
      assert.deepEqual(analogy.query, ['paris', 'rome', 'seine']);
      assert.equal(analogy.answers[0].word, 'tiber');

      await t.deliver({ type: 'neighbors', word: 'unicorn', k: 5 });
      const error = await t.sentMatching('an unknown word', isSent('error'));
      assert.match(error.message, /"unicorn" is not in the vocabulary of the model .*embed-run \(74 words\)/);

      // Show in Embeddings: the host asks the webview to select; the webview asks for the neighbours itself.
      assert.equal(panel.select('berlin'), true);
      await t.sentMatching('select', (m): m is Sent<'select'> => m.type === 'select' && m.word === 'berlin');
      await t.receivedMatching('the webview asks for berlin', (m): m is Extract<EmbeddingsToHost, { type: 'neighbors' }> => m.type === 'neighbors' && m.word === 'berlin');
      await t.sentMatching('neighbours of berlin', (m): m is Sent<'neighbors'> => m.type === 'neighbors' && m.word === 'berlin');
      assert.equal(panel.current()?.selected?.word, 'berlin');
    } finally {
      panel.dispose();
      client.dispose();
    }
  });

  it('a 50,000-word vectors file: the 10,000 most frequent drawn and projected, the queries over all of them', async () => {
    // Deterministic random vectors (an LCG), 50 wide: about 20 MB of GloVe text.
    let seed = 7;
    const random = () => { seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0; return seed / 2 ** 32 - 0.5; };
    const lines = Array.from({ length: 50_000 }, (_, i) => `w${i} ${Array.from({ length: 50 }, () => random().toFixed(4)).join(' ')}`);
    const file = path.join(dir, 'big.txt');
    fs.writeFileSync(file, lines.join('\n') + '\n');
    const recorder = new TransportRecorder();
    const client = new InferenceClient();
    const panel = new EmbeddingsPanel(extension.extensionUri, client, recorder.connect);
    try {
      panel.show(file);
      const t = await recorder.nth<HostToEmbeddings, EmbeddingsToHost>(embeddingsViewType);
      const space = (await t.sentMatching('the space', isSent('space'), 120_000)).space;
      assert.deepEqual([space.words.length, space.drawn, space.vectors.length], [50_000, 10_000, 10_000 * 50]);
      const projected = await t.receivedMatching('the projection', (m): m is Extract<EmbeddingsToHost, { type: 'projected' }> => m.type === 'projected', 120_000);
      assert.equal(projected.points, 10_000);
      await t.deliver({ type: 'neighbors', word: 'w45000', k: 10 });   // a word that is not drawn
      const near = await t.sentMatching('neighbours of w45000', (m): m is Sent<'neighbors'> => m.type === 'neighbors' && m.word === 'w45000');
      assert.equal(near.neighbors.length, 10);
      assert.equal(near.placed.words[0], 'w45000');
    } finally {
      panel.dispose();
      client.dispose();
    }
  });

  it('Debias Word Vectors… writes <name>.debiased.txt with unit vectors, the pair words equalised', async () => {
    const vectors = path.join(runDir, 'vectors.txt');
    const out = await vscode.commands.executeCommand<string>('rnnLab.debiasVectors', vscode.Uri.file(vectors), 'paris:rome');
    assert.equal(out, path.join(runDir, 'vectors.debiased.txt'));
    const v = readVectorsFile(out);
    assert.equal(v.words.length, 74);
    for (let i = 0; i < v.words.length; i++) {
      const row = v.vectors.subarray(i * v.E, (i + 1) * v.E);
      assert.ok(Math.abs(Math.hypot(...row) - 1) < 1e-5, `${v.words[i]} has unit length`);
    }
    const id = (w: string) => v.words.indexOf(w);
    const diff = Array.from({ length: v.E }, (_, e) => v.vectors[id('paris') * v.E + e] - v.vectors[id('rome') * v.E + e]);
    // After equalising, paris − rome lies along the direction; every neutralised word is orthogonal to it.
    const dot = (w: string) => diff.reduce((s, x, e) => s + x * v.vectors[id(w) * v.E + e], 0);
    for (const w of ['seine', 'pasta', 'the']) assert.ok(Math.abs(dot(w)) < 1e-5, `${w}·(paris − rome) = ${dot(w)}`);
  });
});
