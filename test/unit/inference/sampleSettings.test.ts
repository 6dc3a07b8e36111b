// The sampling settings come from the config schema (sampling.*, training.seed): the Samples panel,
// its webview (through init) and rnn-lab sample read these instead of copies of the numbers.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { defaultSampleSettings, sampleLimits } from '../../../src/pipeline/inference/sampleSettings';

const schema = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../../../schemas/rnnconfig.schema.json'), 'utf8'));
const sampling = schema.properties.sampling.properties;

describe('inference/sampleSettings: defaults and ranges from the schema', () => {
  it('defaults are the schema\'s (seed: training.seed\'s)', () => {
    assert.deepEqual(defaultSampleSettings(), {
      prime: sampling.prime.default, length: sampling.length.default, temperature: sampling.temperature.default,
      topK: sampling.topK.default, topP: sampling.topP.default, seed: schema.properties.training.properties.seed.default,
    });
    assert.deepEqual(defaultSampleSettings(), { prime: '', length: 200, temperature: 1, topK: 0, topP: 1, seed: 1 });
  });

  it('ranges are the schema\'s, exclusive minimums and integers included', () => {
    const limits = sampleLimits();
    assert.deepEqual(limits.topP, { min: 0, minExclusive: true, max: 1, integer: false });
    assert.deepEqual(limits.temperature, { min: 0, minExclusive: false, max: sampling.temperature.maximum, integer: false });
    assert.deepEqual(limits.length, { min: 1, minExclusive: false, max: sampling.length.maximum, integer: true });
    assert.deepEqual(limits.topK, { min: 0, minExclusive: false, max: sampling.topK.maximum, integer: true });
    assert.deepEqual(limits.seed, { min: 0, minExclusive: false, max: schema.properties.training.properties.seed.maximum, integer: true });
  });
});
