// Checkpoint bytes: exact round trip of every part, and clear errors for corrupt or foreign files.
import { strict as assert } from 'assert';
import { crc32, decodeCheckpoint, encodeCheckpoint, FORMAT_VERSION, type Checkpoint } from '../../../src/engine/checkpoint';
import { createOptimizer } from '../../../src/engine/optim';
import { Rng } from '../../../src/engine/rng';
import { paramCount, type ModelSpec } from '../../../src/engine/spec';
import { vecFrom, type DType } from '../../../src/engine/tensor';
import { seq2seqParamCount, type Seq2SeqSpec } from '../../../src/engine/seq2seq/spec';
import { modelKind } from '../../../src/engine/modelKinds';

const spec: ModelSpec = {
  cell: 'lstm', vocabSize: 7, embedding: 3, hidden: 4, layers: 1, bidirectional: false, peephole: false,
  resetAfter: true, activation: 'tanh', dropout: 0, outputs: 7, head: 'softmax', manyToOne: false,
};

function sampleCheckpoint(dtype: DType): Checkpoint {
  const rng = new Rng(1);
  const n = paramCount(spec);
  const params = vecFrom(dtype, Array.from({ length: n }, () => rng.normal()));
  const grads = vecFrom(dtype, Array.from({ length: n }, () => rng.normal()));
  const optimizer = createOptimizer({ kind: 'adam', amsgrad: true }, params.slice(), grads);
  optimizer.step(0.01); optimizer.step(0.01);
  rng.normal(); // leaves a Box-Muller spare in the state
  return {
    spec, params, step: 2,
    optimizer: { config: optimizer.config, state: optimizer.exportState() },
    schedule: { kind: 'cosine', baseLr: 0.01, warmupSteps: 2, totalSteps: 100 },
    clip: { maxNorm: 5, maxValue: null, steps: 2, clipped: 1 },
    rngs: { dropout: rng.getState(), data: new Rng(9, 3).getState() },
    states: { carried: { B: 2, h: vecFrom(dtype, [1, -2, 3e-8, 4, 5, 6, 7, 8]), c: vecFrom(dtype, [0.5, 0, 0, 0, 0, 0, 0, -0.5]) } },
    extra: { cursor: 1234, vocabulary: ['a', 'ü', '\n', '🙂'] },
  };
}

describe('engine-train/checkpoint', () => {
  it('crc32 is the IEEE CRC-32 (check value of "123456789" is 0xcbf43926)', () => {
    assert.equal(crc32(new TextEncoder().encode('123456789')), 0xcbf43926);
  });

  for (const dtype of ['f32', 'f64'] as const) {
    it(`${dtype}: decode(encode(x)) equals x in every field, numbers bit for bit`, () => {
      const original = sampleCheckpoint(dtype);
      const bytes = encodeCheckpoint(original);
      assert.equal(new TextDecoder().decode(bytes.subarray(0, 8)), 'RNNLABCK');
      const decoded = decodeCheckpoint(bytes);
      assert.deepEqual(decoded, original); // deepEqual compares typed arrays' type and values
      // a copy at an odd offset inside a larger buffer decodes too (Node Buffers from fs are such views)
      const shifted = new Uint8Array(bytes.length + 3);
      shifted.set(bytes, 3);
      assert.deepEqual(decodeCheckpoint(shifted.subarray(3)), original);
    });
  }

  it('a weights-only checkpoint (no optimizer, schedule, clip, states) round-trips', () => {
    const { spec: s, params } = sampleCheckpoint('f32');
    const weightsOnly: Checkpoint = { spec: s, params, step: 0, optimizer: null, schedule: null, clip: null, rngs: {}, states: {}, extra: null };
    assert.deepEqual(decodeCheckpoint(encodeCheckpoint(weightsOnly)), weightsOnly);
  });

  const bytes = encodeCheckpoint(sampleCheckpoint('f32'));
  const corruptions: [string, (b: Uint8Array) => Uint8Array, RegExp][] = [
    ['one flipped bit in the weights', (b) => { const c = b.slice(); c[c.length - 40] ^= 0x10; return c; }, /run\.ckpt: checkpoint is corrupt or truncated: checksum 0x[0-9a-f]{8} does not match/],
    ['one changed header byte', (b) => { const c = b.slice(); c[30] ^= 1; return c; }, /checkpoint is corrupt/],
    ['truncated', (b) => b.slice(0, b.length - 100), /checkpoint is corrupt or truncated/],
    ['too short', (b) => b.slice(0, 10), /10 bytes is too short/],
    ['another file type', () => new TextEncoder().encode('{"not": "a checkpoint at all"}'), /not an RNN Lab checkpoint/],
    ['a newer format', (b) => { const c = b.slice(); new DataView(c.buffer).setUint32(8, FORMAT_VERSION + 1, true); return c; }, /format version 2 is not supported \(expected 1\)/],
  ];
  for (const [name, corrupt, message] of corruptions) {
    it(`detects ${name}`, () => assert.throws(() => decodeCheckpoint(corrupt(bytes), 'run.ckpt'), message));
  }

  it('a spec without `kind` (every checkpoint written before model kinds) decodes as a recurrent model', () => {
    const decoded = decodeCheckpoint(encodeCheckpoint(sampleCheckpoint('f32')));
    assert.equal('kind' in decoded.spec, false);
    assert.equal(modelKind(decoded.spec), 'recurrent');
  });

  it('a seq2seq checkpoint round-trips with its kind, its layout sizing the params', () => {
    const s2s: Seq2SeqSpec = {
      kind: 'seq2seq', cell: 'gru', sourceVocab: 9, targetVocab: 6, embedding: 3, hidden: 4, layers: 2, bidirectional: true,
      peephole: false, resetAfter: true, activation: 'tanh', dropout: 0, attention: 'additive',
    };
    const rng = new Rng(2);
    const params = vecFrom('f32', Array.from({ length: seq2seqParamCount(s2s) }, () => rng.normal()));
    const checkpoint: Checkpoint = { spec: s2s, params, step: 7, optimizer: null, schedule: null, clip: null, rngs: { teacher: rng.getState() }, states: {}, extra: null };
    const decoded = decodeCheckpoint(encodeCheckpoint(checkpoint));
    assert.deepEqual(decoded, checkpoint);
    assert.equal(modelKind(decoded.spec), 'seq2seq');
    assert.throws(() => encodeCheckpoint({ ...checkpoint, params: params.subarray(1) }), /params has \d+ values, the spec needs \d+/);
  });

  it('refuses a model kind this version does not know, naming it', () => {
    const bytes = encodeCheckpoint({ ...sampleCheckpoint('f32'), spec: { ...spec, kind: 'recurrent' } });
    const text = new TextDecoder().decode(bytes);
    const at = text.indexOf('"kind":"recurrent"') + '"kind":"'.length;
    const forged = bytes.slice();
    forged.set(new TextEncoder().encode('embedding'), at);  // same length as "recurrent"
    new DataView(forged.buffer).setUint32(forged.length - 4, crc32(forged, 0, forged.length - 4), true);
    assert.throws(() => decodeCheckpoint(forged, 'run.ckpt'), /run\.ckpt: model kind "embedding" is not known to this version \(expected recurrent, seq2seq, word2vec\)/);
  });

  it('refuses to encode params that do not fit the spec', () => {
    assert.throws(() => encodeCheckpoint({ ...sampleCheckpoint('f32'), params: vecFrom('f32', [1, 2]) }), /params has 2 values, the spec needs \d+/);
  });
});
