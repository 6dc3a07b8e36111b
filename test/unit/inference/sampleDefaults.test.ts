// The Samples panel's starting settings for a model: defaults, then the run's config snapshot's
// sampling section, then the settings it was last sampled with.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DEFAULT_SAMPLE_SETTINGS, startingSettings } from '../../../src/host/inference/sampleDefaults';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rnnlab-sampling-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

function run(name: string, config: string | null): string {
  const runDir = path.join(dir, name);
  fs.mkdirSync(runDir);
  if (config !== null) fs.writeFileSync(path.join(runDir, 'config.rnnconfig'), config);
  return runDir;
}

describe('Samples panel: startingSettings', () => {
  const last = { ...DEFAULT_SAMPLE_SETTINGS, temperature: 1.3, seed: 9 };
  const cases: { name: string; config: string | null; remembered?: typeof last; expected: Partial<typeof last> }[] = [
    { name: 'the config\'s sampling (0.8, top-k 5, prime)', config: '// snapshot\n{ "sampling": { "temperature": 0.8, "topK": 5, "topP": 0.9, "length": 50, "prime": "The " } }',
      expected: { temperature: 0.8, topK: 5, topP: 0.9, length: 50, prime: 'The ', seed: 1 } },
    { name: 'a config without sampling: the defaults', config: '{ "task": "lm" }', expected: {} },
    { name: 'no config (an imported .onnx): the defaults', config: null, expected: {} },
    { name: 'values of the wrong type are skipped', config: '{ "sampling": { "temperature": "hot", "length": 30 } }', expected: { length: 30 } },
    { name: 'how it was last sampled wins over the config', config: '{ "sampling": { "temperature": 0.8 } }', remembered: last, expected: last },
  ];
  for (const [i, c] of cases.entries()) {
    it(c.name, () => assert.deepEqual(startingSettings(run(`r${i}`, c.config), c.remembered), { ...DEFAULT_SAMPLE_SETTINGS, ...c.expected }));
  }
  it('no model: the defaults', () => assert.deepEqual(startingSettings(null), DEFAULT_SAMPLE_SETTINGS));
});
