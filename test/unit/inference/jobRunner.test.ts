// The inference worker's job runner without a thread: an in-memory IO posts the host's jobs and
// records the answers. Jobs run in order; a queued job cancelled never starts; a cancel that
// arrives at a pause stops a running sample; an evaluation gives evaluateModelFile's report, saves it
// and stops at the slice after a cancel; a failing job says why and the next one still runs.
// seq2seq: translations (outputs, candidates, attention, <unk> tokens) and labels on both backends.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { evaluateModelFile } from '../../../src/pipeline/eval/evalFile';
import { runInferenceJobs } from '../../../src/pipeline/inference/jobRunner';
import { sampleText } from '../../../src/pipeline/inference/textInference';
import { loadModel } from '../../../src/pipeline/loadModel';
import { loadSeq2Seq } from '../../../src/pipeline/seq2seq/model';
import { translateOne } from '../../../src/pipeline/seq2seq/translate';
import type { HostToInference, InferenceToHost, ModelRef, SampleSettings, TranslateSettings, TranslationResult } from '../../../src/protocol/inference';
import { datesText, isoText, lmText, tagText, writeModel, writeSeq2SeqModel } from './models';

/**
 * The host's side of an in-memory channel to a job runner; `onPause` runs at each pause of a job.
 * `arrive` queues a message as one posted while the thread is busy: a synchronous job reads it at
 * its next deliverArrived (as the worker's receiveMessageOnPort does).
 */
function startRunner(onPause: (pauses: number) => void = () => undefined) {
  const posted: InferenceToHost[] = [];
  const waiters = new Set<() => void>();
  const arrived: HostToInference[] = [];
  let deliver: ((m: HostToInference) => void | Promise<void>) | undefined;
  let pauses = 0;
  runInferenceJobs({
    post: (m) => { posted.push(m); for (const w of [...waiters]) w(); },
    onMessage: (listener) => { deliver = listener; return { dispose: () => { deliver = undefined; } }; },
    pause: async () => { onPause(++pauses); await new Promise((resolve) => setImmediate(resolve)); },
    deliverArrived: () => { for (let m = arrived.shift(); m; m = arrived.shift()) void deliver!(m); },
  });
  return {
    posted,
    arrive: (m: HostToInference) => { arrived.push(m); },
    send: (m: HostToInference) => void deliver!(m),
    /** Resolves with the first posted message of `job` that ends it (anything but a sample chunk or progress). */
    end: (job: number) => new Promise<InferenceToHost>((resolve) => {
      const check = () => {
        const found = posted.find((m) => m.job === job && m.type !== 'sampleChunk' && m.type !== 'evalProgress');
        if (found) { waiters.delete(check); resolve(found); }
      };
      waiters.add(check);
      check();
    }),
  };
}

describe('inference job runner (in memory, no thread)', function () {
  this.timeout(20_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rnnlab-jobs-'));
  let lm: ModelRef, tag: ModelRef;
  before(() => {
    lm = { path: writeModel(dir, 'lm', 'lm', 'char', lmText + 'xyz', []), backend: 'engine' };
    tag = { path: writeModel(dir, 'tag', 'tag', 'word', tagText, ['0', '1']), backend: 'engine' };
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const settings = (length: number): SampleSettings => ({ prime: 'Ta', length, temperature: 1, topK: 0, topP: 1, seed: 3 });

  it('streams a sample token by token, the text of sampleText, then sampleDone', async () => {
    const runner = startRunner();
    runner.send({ type: 'sample', job: 1, model: lm, settings: settings(40) });
    assert.deepEqual(await runner.end(1), { type: 'sampleDone', job: 1, tokens: 40 });
    const chunks = runner.posted.flatMap((m) => (m.type === 'sampleChunk' ? [m.text] : []));
    assert.equal(chunks.length, 40);
    assert.equal(chunks.join(''), [...sampleText(loadModel(lm.path), settings(40))].join(''));
  });

  it('answers jobs in the order they came; a queued job that is cancelled never starts', async () => {
    const runner = startRunner();
    runner.send({ type: 'label', job: 1, model: tag, regions: [{ offset: 0, line: 0, text: tagText }] });
    runner.send({ type: 'info', job: 2, model: lm });
    runner.send({ type: 'info', job: 3, model: tag });
    runner.send({ type: 'cancel', job: 2 });
    assert.deepEqual(runner.posted, [{ type: 'cancelled', job: 2 }], 'cancelled at once, before job 1 ended');
    const [first, third] = await Promise.all([runner.end(1), runner.end(3)]);
    assert.equal(first.type, 'labels');
    assert.equal(third.type === 'info' && third.info.task, 'tag');
    assert.deepEqual(runner.posted.map((m) => [m.type, m.job]), [['cancelled', 2], ['labels', 1], ['info', 3]]);
  });

  it('stops a running sample at the pause after a cancel; the next job still runs', async () => {
    let runner: ReturnType<typeof startRunner> | undefined;
    runner = startRunner((pauses) => { if (pauses === 1) runner!.send({ type: 'cancel', job: 1 }); });
    runner.send({ type: 'sample', job: 1, model: lm, settings: settings(10_000_000) });
    runner.send({ type: 'info', job: 2, model: lm });
    assert.deepEqual(await runner.end(1), { type: 'cancelled', job: 1 });
    const chunks = runner.posted.filter((m) => m.type === 'sampleChunk').length;
    assert.ok(chunks > 0 && chunks < 10_000_000, `${chunks} chunks before the cancel`);
    const info = await runner.end(2);
    assert.equal(info.type === 'info' && info.info.task, 'lm');
  });

  it('evaluates a model on a labelled file as rnn-lab eval does, with progress, and saves eval-<file>.json beside it', async () => {
    const file = path.join(dir, 'names.tsv');
    fs.writeFileSync(file, 'Harry\t1\nPotter\t1\nand\t0\n\nRon\t1\nate\t0\ncake\t0\n');
    const runner = startRunner();
    runner.send({ type: 'evaluate', job: 1, model: tag, file });
    const end = await runner.end(1);
    assert.equal(end.type, 'evaluation', JSON.stringify(end));
    const { report } = evaluateModelFile(tag.path, file, 'engine');
    assert.ok(end.type === 'evaluation');
    assert.deepEqual(end.report, report);
    assert.equal(end.saved, path.join(dir, 'eval-names.tsv.json'));
    assert.equal(fs.readFileSync(end.saved, 'utf8'), JSON.stringify(report) + '\n');
    const progress = runner.posted.flatMap((m) => (m.type === 'evalProgress' ? [m.progress] : []));
    assert.deepEqual(progress.pop(), { done: fs.statSync(file).size, total: fs.statSync(file).size, unit: 'bytes' });
  });

  it('stops an evaluation at the slice after a cancel arrives, saving nothing; the next job still runs', async () => {
    const file = path.join(dir, 'long.txt');
    fs.writeFileSync(file, `${lmText}`.repeat(8000));   // about 300 KB: five slices of 64 K characters
    const runner = startRunner();
    runner.arrive({ type: 'cancel', job: 1 });   // as if posted while the first slice is scored
    runner.send({ type: 'evaluate', job: 1, model: lm, file });
    runner.send({ type: 'info', job: 2, model: lm });
    assert.deepEqual(await runner.end(1), { type: 'cancelled', job: 1 });
    const progress = runner.posted.filter((m) => m.type === 'evalProgress');
    assert.equal(progress.length, 1, 'one slice scored before the cancel was read');
    assert.equal(fs.existsSync(path.join(dir, 'eval-long.txt.json')), false);
    assert.equal((await runner.end(2)).type, 'info');
  });

  const failures: { name: string; job: (model: ModelRef) => HostToInference; model: () => ModelRef; message: RegExp }[] = [
    { name: 'a model that is not there', job: (model) => ({ type: 'info', job: 1, model }),
      model: () => ({ path: path.join(dir, 'missing.onnx'), backend: 'engine' }), message: /missing\.onnx: no such model/ },
    { name: 'sampling from a tagger', job: (model) => ({ type: 'sample', job: 1, model, settings: settings(5) }),
      model: () => tag, message: /tag\.onnx: is a tag model; sampling needs a language model/ },
  ];
  for (const c of failures) {
    it(`fails a job with what went wrong, as bad input: ${c.name}; the next job still runs`, async () => {
      const runner = startRunner();
      runner.send(c.job(c.model()));
      runner.send({ type: 'info', job: 2, model: lm });
      const failed = await runner.end(1);
      assert.ok(failed.type === 'failed' && failed.badInput, JSON.stringify(failed));
      assert.match(failed.message, c.message);
      assert.equal((await runner.end(2)).type, 'info');
    });
  }
});

describe('inference job runner: seq2seq (translate, labels, info)', function () {
  this.timeout(30_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rnnlab-s2s-jobs-'));
  let s2s: ModelRef, lm: ModelRef;
  before(() => {
    s2s = { path: writeSeq2SeqModel(dir, 'dates', datesText, isoText), backend: 'engine' };
    lm = { path: writeModel(dir, 'lm', 'lm', 'char', lmText, []), backend: 'engine' };
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const region = { offset: 100, line: 5, text: datesText };

  async function translate(runner: ReturnType<typeof startRunner>, job: number, model: ModelRef, settings: TranslateSettings = {}, regions = [region]): Promise<TranslationResult> {
    runner.send({ type: 'translate', job, model, regions, settings });
    const m = await runner.end(job);
    if (m.type !== 'translations') throw new Error(JSON.stringify(m));
    return m.result;
  }

  it('translates every non-blank line (its source before a TAB) in document lines and offsets, as translateOne does', async () => {
    const result = await translate(startRunner(), 1, s2s);
    assert.deepEqual([result.beam, result.lengthPenalty, result.maxLength, result.attention], [3, 0.7, 12, 'additive'], "the model's own settings");
    assert.deepEqual(result.lines.map((l) => [l.line, l.source, datesText.slice(l.start - 100, l.end - 100)]), [
      [6, '3 may 1979', '3 may 1979'], [8, '12.10.2001', '12.10.2001'], [9, 'the 1st of june, 1950', 'the 1st of june, 1950']]);
    const plain = loadSeq2Seq(s2s.path);
    for (const l of result.lines) {
      const want = translateOne(plain, l.source, { beam: 3, lengthPenalty: 0.7, maxLength: 12 });
      assert.deepEqual([l.output, l.logProb, l.outputTokens, l.attention], [want.output, want.logProb, want.outputTokens, want.attention]);
      assert.deepEqual(l.candidates, want.candidates);
      assert.deepEqual(l.sourceTokens, [...l.source]);
      assert.deepEqual(l.sourceUnknown, l.sourceTokens.map(() => false));
      assert.equal(l.attention.length, l.outputTokens.length, 'a row per output token');
      for (const row of l.attention) {
        assert.equal(row.length, l.sourceTokens.length, 'a column per source token');
        assert.ok(Math.abs(row.reduce((a, w) => a + w, 0) - 1) < 1e-5, 'a row sums to 1');
      }
      assert.ok(l.candidates.length >= 1 && l.candidates.length <= 3);
      for (let k = 1; k < l.candidates.length; k++) assert.ok(l.candidates[k - 1].score >= l.candidates[k].score, 'best first');
      assert.equal(l.candidates[0].output, l.output);
    }
    plain.dispose();
  });

  it('says which source tokens the model read as <unk>; greedy (beam 1) gives one candidate', async () => {
    const result = await translate(startRunner(), 1, s2s, { beam: 1 }, [{ offset: 0, line: 0, text: 'x ☃ 3' }]);
    const [l] = result.lines;
    assert.deepEqual(l.sourceTokens, ['x', ' ', '☃', ' ', '3']);
    assert.deepEqual(l.sourceUnknown, [true, false, true, false, false]);
    assert.equal(l.candidates.length, 1);
    assert.equal(result.beam, 1);
  });

  it('the ort backend gives the engine\'s outputs and log-probabilities', async () => {
    const runner = startRunner();
    const engine = await translate(runner, 1, s2s);
    const ort = await translate(runner, 2, { ...s2s, backend: 'ort' });
    ort.lines.forEach((l, i) => {
      assert.equal(l.output, engine.lines[i].output);
      assert.ok(Math.abs(l.logProb - engine.lines[i].logProb) < 1e-4, `${l.logProb} vs ${engine.lines[i].logProb}`);
      assert.deepEqual(l.candidates.map((c) => c.output), engine.lines[i].candidates.map((c) => c.output));
    });
  });

  it('evaluates a seq2seq model on source<TAB>target pairs as rnn-lab eval does (loss, exact match, BLEU), saved in its folder', async () => {
    const file = path.join(dir, 'pairs.tsv');
    fs.writeFileSync(file, '3 may 1979\t1979-05-03\n12.10.2001\t2001-10-12\n');
    const runner = startRunner();
    runner.send({ type: 'evaluate', job: 1, model: s2s, file });
    const end = await runner.end(1);
    if (end.type !== 'evaluation') throw new Error(JSON.stringify(end));
    assert.deepEqual(end.report, evaluateModelFile(s2s.path, file, 'engine').report);
    assert.deepEqual(Object.keys(end.report), ['task', 'loss', 'exactMatch', 'bleu']);
    assert.equal(end.saved, path.join(s2s.path, 'eval-pairs.tsv.json'));
    assert.deepEqual(JSON.parse(fs.readFileSync(end.saved, 'utf8')), end.report);
    assert.ok(runner.posted.some((m) => m.type === 'evalProgress' && m.progress.unit === 'pairs'), 'progress in pairs');
  });

  it('labels a seq2seq model\'s lines with their outputs, each line computed once', async () => {
    const runner = startRunner();
    const translated = await translate(runner, 1, s2s);
    runner.send({ type: 'label', job: 2, model: s2s, regions: [region] });
    runner.send({ type: 'label', job: 3, model: s2s, regions: [region] });
    const [first, again] = [await runner.end(2), await runner.end(3)];
    if (first.type !== 'labels' || again.type !== 'labels') throw new Error(JSON.stringify([first, again]));
    assert.equal(first.info.task, 'seq2seq');
    assert.equal(first.result.kind, 'outputs');
    if (first.result.kind !== 'outputs') return;
    assert.deepEqual(first.result.items.map((o) => [o.line, o.start, o.end, o.output, o.logProb]),
      translated.lines.map((l) => [l.line, l.start, l.end, l.output, l.logProb]));
    assert.deepEqual([first.linesComputed, again.linesComputed, again.linesCached], [4, 0, 4], 'four lines, the blank one too (cached as no output)');
    assert.deepEqual(again.result, first.result);
  });

  it('info on a seq2seq model: its task, cell and source vocabulary', async () => {
    const runner = startRunner();
    runner.send({ type: 'info', job: 1, model: s2s });
    const m = await runner.end(1);
    assert.ok(m.type === 'info');
    assert.deepEqual([m.info.task, m.info.cell, m.info.tokenizer, m.info.vocabSize], ['seq2seq', 'gru', 'char', 3 + new Set(datesText).size]);
  });

  it('stops a translation at the pause after a cancel', async () => {
    let runner: ReturnType<typeof startRunner> | undefined;
    runner = startRunner((pauses) => { if (pauses === 1) runner!.send({ type: 'cancel', job: 1 }); });
    runner.send({ type: 'translate', job: 1, model: s2s, regions: [region], settings: {} });
    assert.deepEqual(await runner.end(1), { type: 'cancelled', job: 1 });
  });

  const failures: { name: string; job: () => HostToInference; message: RegExp }[] = [
    { name: 'translating with a language model', job: () => ({ type: 'translate', job: 1, model: lm, regions: [region], settings: {} }),
      message: /lm\.onnx: is a lm model; this needs a seq2seq model/ },
    { name: 'predictions of a seq2seq model', job: () => ({ type: 'predict', job: 1, model: s2s, region, topK: 3, maxTokens: 10, activations: false }),
      message: /dates: is a seq2seq model; use Show Attention/ },
    { name: 'a beam of 0', job: () => ({ type: 'translate', job: 1, model: s2s, regions: [region], settings: { beam: 0 } }),
      message: /beam: 0: expected a whole number ≥ 1/ },
  ];
  for (const c of failures) {
    it(`fails as bad input: ${c.name}`, async () => {
      const runner = startRunner();
      runner.send(c.job());
      const failed = await runner.end(1);
      assert.ok(failed.type === 'failed' && failed.badInput, JSON.stringify(failed));
      assert.match(failed.message, c.message);
    });
  }
});
