// The committed kernels (src/engine/wasm/kernels.generated.*) are what the generator's WAT pieces
// (scripts/wasm/) assemble to: an edited piece without a re-run, or a hand edit, fails here.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { packageRoot } from '../../../src/pipeline/packageRoot';

describe('WASM kernel generator', () => {
  it('regenerates exactly the committed kernels.generated.ts and .wat', () => {
    const script = path.join(packageRoot(), 'scripts', 'wasm', 'generate.mjs');
    const r = spawnSync(process.execPath, [script, '--check'], { encoding: 'utf8' });
    assert.equal(r.status, 0, `${script} --check: ${r.stderr || r.stdout}`);
  });
});
