// The inference worker's job runner without a thread: an in-memory IO posts the host's jobs and
// records the answers. Jobs run in order; a queued job cancelled never starts; a cancel that
// arrives at a pause stops a running sample; a failing job says why and the next one still runs.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runInferenceJobs } from '../../../src/pipeline/inference/jobRunner';
import { sampleText } from '../../../src/pipeline/inference/textInference';
import { loadModel } from '../../../src/pipeline/loadModel';
import type { HostToInference, InferenceToHost, ModelRef, SampleSettings } from '../../../src/protocol/inference';
import { lmText, tagText, writeModel } from './models';

/** The host's side of an in-memory channel to a job runner; `onPause` runs at each pause of a job. */
function startRunner(onPause: (pauses: number) => void = () => undefined) {
  const posted: InferenceToHost[] = [];
  const waiters = new Set<() => void>();
  let deliver: ((m: HostToInference) => void | Promise<void>) | undefined;
  let pauses = 0;
  runInferenceJobs({
    post: (m) => { posted.push(m); for (const w of [...waiters]) w(); },
    onMessage: (listener) => { deliver = listener; return { dispose: () => { deliver = undefined; } }; },
    pause: async () => { onPause(++pauses); await new Promise((resolve) => setImmediate(resolve)); },
  });
  return {
    posted,
    send: (m: HostToInference) => void deliver!(m),
    /** Resolves with the first posted message of `job` that ends it (anything but a sample chunk). */
    end: (job: number) => new Promise<InferenceToHost>((resolve) => {
      const check = () => {
        const found = posted.find((m) => m.job === job && m.type !== 'sampleChunk');
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
