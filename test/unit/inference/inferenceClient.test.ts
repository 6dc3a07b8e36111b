// The inference worker through its client, on small real models (random weights, exported to ONNX
// with RNN Lab metadata): its answers equal the pipeline's own functions run in this thread, the
// line cache runs only changed lines, samples stream token by token, evaluations give evaluateModelFile's
// report and save it, cancel stops a job (an evaluation too, between slices of its file).
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { labelText, sampleText } from '../../../src/pipeline/inference/textInference';
import { evaluateModelFile } from '../../../src/pipeline/eval/evalFile';
import { loadModel } from '../../../src/pipeline/loadModel';
import type { ModelRef, TokenLabelItem } from '../../../src/protocol/inference';
import { InferenceClient, InferenceError } from '../../../src/pipeline/inference/inferenceClient';
import { probabilities, topK } from '../../../src/pipeline/inference/predictTokens';
import { classText, lmText, tagText, writeModel } from './models';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rnnlab-inference-'));

describe('probabilities and top-k', () => {
  const cases: { logits: number[]; head: 'softmax' | 'sigmoid'; p: number[]; top: [number, number][] }[] = [
    { logits: [0, 0], head: 'softmax', p: [0.5, 0.5], top: [[0, 0.5], [1, 0.5]] },
    { logits: [Math.log(3), 0, 0], head: 'softmax', p: [0.6, 0.2, 0.2], top: [[0, 0.6], [1, 0.2]] },
    { logits: [1000, 0], head: 'softmax', p: [1, 0], top: [[0, 1], [1, 0]] },
    { logits: [0, Math.log(3)], head: 'sigmoid', p: [0.5, 0.75], top: [[1, 0.75], [0, 0.5]] },
  ];
  for (const c of cases) {
    it(`${c.head}(${c.logits.map((x) => x.toFixed(2)).join(', ')})`, () => {
      const p = probabilities(c.logits, c.head);
      c.p.forEach((want, k) => assert.ok(Math.abs(p[k] - want) < 1e-12, `p[${k}] = ${p[k]}, expected ${want}`));
      assert.deepEqual(topK(p, 2, String).map((a) => [Number(a.token), Number(a.p.toFixed(12))]), c.top);
    });
  }
});

describe('inference worker', function () {
  this.timeout(20_000);
  let client: InferenceClient;
  let lm: ModelRef, tag: ModelRef, classify: ModelRef;

  before(() => {
    client = new InferenceClient(path.resolve(__dirname, '../../../src/pipeline/inference/inferenceWorker.js'));
    lm = { path: writeModel(dir, 'lm', 'lm', 'char', lmText + 'xyz', []), backend: 'engine' };
    tag = { path: writeModel(dir, 'tag', 'tag', 'word', tagText, ['0', '1']), backend: 'engine' };
    classify = { path: writeModel(dir, 'classify', 'classify', 'word', classText, ['food', 'weather']), backend: 'engine' };
  });
  after(() => {
    client.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const direct = (ref: ModelRef, text: string) => labelText(loadModel(ref.path), text);
  /** Numbers to 5 significant digits: the worker runs WebAssembly float32 kernels, this thread TypeScript ones. */
  const rounded = (v: unknown): unknown => JSON.parse(JSON.stringify(v, (_, x) => (typeof x === 'number' ? Number(x.toPrecision(5)) : x)));
  const sameLabels = (actual: unknown, expected: unknown) => assert.deepEqual(rounded(actual), rounded(expected));

  const cases: { name: string; model: () => ModelRef; text: string }[] = [
    { name: 'lm surprisal (CRLF, tab, emoji, combining mark)', model: () => lm, text: lmText },
    { name: 'tag labels per line', model: () => tag, text: tagText },
    { name: 'classify labels per line', model: () => classify, text: classText },
  ];
  for (const c of cases) {
    it(`labels as the pipeline does: ${c.name}`, async () => {
      const answer = await client.label(c.model(), [{ offset: 0, line: 0, text: c.text }]).result;
      sameLabels(answer!.result, direct(c.model(), c.text));
      for (const item of answer!.result.items) {
        if ('token' in item) assert.equal(c.text.slice(item.start, item.end), item.token);
      }
    });
  }

  it('labels a labelled tag file (token<TAB>label) a sequence at a time: the first column, with its gold label', async () => {
    const labelled = 'Harry\t1\r\nPotter\t1\r\nate\t0\r\n\r\nRon\t1\r\nleft\t0\r\n';
    const answer = await client.label(tag, [{ offset: 0, line: 0, text: labelled }]).result;
    const items = answer!.result.items as readonly TokenLabelItem[];
    assert.deepEqual(items.map((t) => [t.token, t.gold]), [['Harry', '1'], ['Potter', '1'], ['ate', '0'], ['Ron', '1'], ['left', '0']]);
    for (const t of items) assert.equal(labelled.slice(t.start, t.end), t.token);
    // The same as the pipeline's label on the whole file: the bidirectional tagger reads each sequence whole.
    sameLabels(answer!.result, direct(tag, labelled));
    assert.ok(items.every((t) => t.label === '0' || t.label === '1'), 'labels, not the digits read as text');
  });

  it('labels and predicts with the onnxruntime backend in the worker thread too', async () => {
    const ort: ModelRef = { path: lm.path, backend: 'ort' };
    const answer = await client.label(ort, [{ offset: 0, line: 0, text: lmText }]).result;
    sameLabels(answer!.result, direct(lm, lmText));
    const predicted = (await client.predict(ort, { offset: 0, line: 0, text: lmText }, { topK: 2, maxTokens: 1000, activations: true }).result)!;
    assert.equal(predicted.layers, null, 'no activations from onnxruntime');
    assert.equal(predicted.tokens.length, answer!.result.items.length);
  });

  it('shifts a region into document offsets and lines', async () => {
    const prefix = 'food\tfirst line\n';
    const answer = await client.label(classify, [{ offset: prefix.length, line: 1, text: classText }]).result;
    const whole = direct(classify, prefix + classText);
    sameLabels(answer!.result.items, whole.items.slice(1));
  });

  it('runs only the lines that changed (tagger line cache)', async () => {
    await client.label(tag, [{ offset: 0, line: 0, text: tagText }]).result;
    const first = await client.label(tag, [{ offset: 0, line: 0, text: tagText + '\nHermione smiled' }]).result;
    assert.deepEqual([first!.linesComputed, first!.linesCached], [1, 4]);
    const edited = tagText.replace('Ron Weasley', 'Ron Weasley quickly');
    const second = await client.label(tag, [{ offset: 0, line: 0, text: edited }]).result;
    assert.deepEqual([second!.linesComputed, second!.linesCached], [1, 3]);
    sameLabels(second!.result, direct(tag, edited));
  });

  it('predicts for an lm: p(token) = exp(−surprisal), top-k sorted, activations per token', async () => {
    const result = (await client.predict(lm, { offset: 0, line: 0, text: lmText }, { topK: 3, maxTokens: 1000, activations: true }).result)!;
    const labels = direct(lm, lmText);
    assert.equal(result.tokens.length, labels.items.length);
    result.tokens.forEach((t, i) => {
      const l = labels.items[i] as { surprisal: number; start: number };
      assert.equal(t.start, l.start);
      assert.ok(Math.abs(t.p - Math.exp(-l.surprisal)) < 1e-5, `token ${i}: ${t.p} vs ${Math.exp(-l.surprisal)}`);
      assert.equal(t.top.length, 3);
      assert.ok(t.top[0].p >= t.top[1].p && t.top[1].p >= t.top[2].p);
    });
    assert.equal(result.layers!.length, 2);
    assert.equal(result.layers![0].hidden.length, result.tokens.length);
    assert.equal(result.layers![0].hidden[0].length, 5);
    assert.equal(result.layers![0].gateValues[0].length, 4 * 5);
    assert.equal(result.layers![0].cell![0].length, 5);
  });

  it('predicts for a tagger: the top label is the label the tagger gives', async () => {
    const result = (await client.predict(tag, { offset: 0, line: 0, text: tagText }, { topK: 2, maxTokens: 1000, activations: true }).result)!;
    const labels = direct(tag, tagText).items as readonly { label: string; p: number; start: number }[];
    assert.deepEqual(result.tokens.map((t) => [t.start, t.label]), labels.map((l) => [l.start, l.label]));
    result.tokens.forEach((t, i) => assert.ok(Math.abs(t.p - labels[i].p) < 1e-5));
    assert.equal(result.layers![0].hidden[0].length, 2 * 5, 'two directions');
    assert.equal(result.layers![0].hidden.length, result.tokens.length);
  });

  it('streams a sample token by token, the same text as sampleText', async () => {
    const settings = { prime: 'Ta', length: 40, temperature: 1, topK: 0, topP: 1, seed: 3 };
    const chunks: string[] = [];
    const tokens = await client.sample(lm, settings, (t) => chunks.push(t)).result;
    assert.equal(tokens, 40);
    assert.equal(chunks.length, 40);
    assert.equal(chunks.join(''), [...sampleText(loadModel(lm.path), settings)].join(''));
  });

  it('cancels a running sample; the next job still runs', async () => {
    let got = 0;
    const job = client.sample(lm, { prime: '', length: 10_000_000, temperature: 1, topK: 0, topP: 1, seed: 1 }, () => { got++; });
    while (got < 50) await new Promise((resolve) => setTimeout(resolve, 5));
    job.cancel();
    assert.equal(await job.result, undefined);
    const info = await client.info(lm).result;
    assert.equal(info!.task, 'lm');
  });

  it('evaluates in the worker as evaluateModelFile does here (to float32 rounding), and saves the report', async () => {
    const file = path.join(dir, 'topics.tsv');
    fs.writeFileSync(file, classText + '\nweather\train and wind\n');
    const answer = (await client.evaluate(classify, file, () => undefined).result)!;
    const here = evaluateModelFile(classify.path, file, 'engine').report;
    assert.deepEqual(rounded(answer.report), rounded(here));
    assert.equal(answer.saved, path.join(dir, 'eval-topics.tsv.json'));
    assert.deepEqual(JSON.parse(fs.readFileSync(answer.saved, 'utf8')), answer.report);
  });

  it('cancels a running evaluation in the thread between slices of its file; nothing is saved', async () => {
    const file = path.join(dir, 'big.txt');
    fs.writeFileSync(file, lmText.repeat(30_000));   // about 1 MB: 16 slices
    const seen: number[] = [];
    const job = client.evaluate(lm, file, (p) => { seen.push(p.done); if (seen.length === 1) job.cancel(); });
    assert.equal(await job.result, undefined);
    assert.ok(seen.length >= 1 && seen[seen.length - 1] < fs.statSync(file).size, `progress ${seen.join(', ')} of ${fs.statSync(file).size}`);
    assert.equal(fs.existsSync(path.join(dir, 'eval-big.txt.json')), false);
    assert.equal((await client.info(lm).result)!.task, 'lm');
  });

  it('runs an imported run folder (model.onnx, no checkpoint); refuses a folder without a model', async () => {
    const imported = path.join(dir, 'imported-run');
    fs.mkdirSync(imported);
    fs.copyFileSync(lm.path, path.join(imported, 'model.onnx'));
    assert.equal((await client.info({ path: imported, backend: 'engine' }).result)!.task, 'lm');
    const empty = path.join(dir, 'empty-run');
    fs.mkdirSync(empty);
    await assert.rejects(client.info({ path: empty, backend: 'engine' }).result,
      (e: InferenceError) => e.badInput && /empty-run: has no checkpoint\.bin or model\.onnx yet/.test(e.message));
  });

  it('fails with the model path when there is no model', async () => {
    await assert.rejects(client.info({ path: path.join(dir, 'missing.onnx'), backend: 'engine' }).result,
      (e: InferenceError) => e.badInput && /missing\.onnx: no such model/.test(e.message));
  });
});
