// The inference worker's model cache on the WASM kernels: each model it loads gets a WASM engine of
// its own (so a dropped model takes its arena with it), made active whenever the model is taken;
// a model whose file changed is reloaded into a new engine; past four models the least recently
// used is dropped. Labels computed in a model's own engine equal those of a plain load.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { activeWasmEngine, restoreReferenceKernels, useWasmKernels } from '../../../src/engine/wasm';
import { ModelCache } from '../../../src/pipeline/inference/modelCache';
import { loadModel } from '../../../src/pipeline/loadModel';
import { lmText, writeModel } from './models';

describe('inference model cache: one WASM engine per model', function () {
  this.timeout(30_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rnnlab-cache-'));
  before(() => assert.ok(useWasmKernels({ threads: 1 })));
  after(() => { restoreReferenceKernels(); fs.rmSync(dir, { recursive: true, force: true }); });

  it('models get engines of their own, active while in use; a changed file reloads into a new engine', () => {
    const home = activeWasmEngine();
    const cache = new ModelCache();
    const a = { path: writeModel(dir, 'a', 'lm', 'char', lmText, []), backend: 'engine' as const };
    const b = { path: writeModel(dir, 'b', 'lm', 'char', lmText + 'q', []), backend: 'engine' as const };
    const first = cache.get(a);
    assert.ok(first.engine && first.engine !== home, 'its own engine');
    assert.equal(activeWasmEngine(), first.engine);
    assert.ok(first.engine.arena.owns((first.loaded.stepper.initialState() as { h: Float32Array }).h), 'its buffers live in its arena');
    const other = cache.get(b);
    assert.ok(other.engine && other.engine !== first.engine);
    assert.equal(cache.get(a), first, 'unchanged file: the same open model');
    assert.equal(activeWasmEngine(), first.engine, 'taken again: its engine active again');
    const later = new Date(Date.now() + 5000);
    fs.utimesSync(a.path, later, later);
    const reloaded = cache.get(a);
    assert.notEqual(reloaded, first);
    assert.ok(reloaded.engine && reloaded.engine !== first.engine, 'a reload gets a fresh engine');
    cache.dispose();
  });

  it('keeps at most four models, dropping the least recently used', () => {
    const cache = new ModelCache();
    const refs = [0, 1, 2, 3, 4].map((i) => ({ path: writeModel(dir, `m${i}`, 'lm', 'char', lmText + String(i), []), backend: 'engine' as const }));
    const opened = refs.map((r) => cache.get(r));
    assert.equal(cache.get(refs[4]), opened[4]);
    assert.equal(cache.get(refs[1]), opened[1]);
    assert.notEqual(cache.get(refs[0]), opened[0], 'the first was dropped when the fifth came, and is loaded anew');
    cache.dispose();
  });

  it('a model in its own engine computes what a plain load computes', () => {
    const ref = { path: writeModel(dir, 'same', 'lm', 'char', lmText, []), backend: 'engine' as const };
    const cache = new ModelCache();
    const { loaded } = cache.get(ref);
    const plain = loadModel(ref.path);
    const s1 = loaded.stepper.initialState(), s2 = plain.stepper.initialState();
    for (const token of [3, 4, 5, 3]) assert.deepEqual(Array.from(loaded.stepper.step(token, s1)), Array.from(plain.stepper.step(token, s2)));
    cache.dispose();
    plain.dispose();
  });
});
