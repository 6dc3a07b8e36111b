// Runs one failure probe: bundles scripts/probe/<name>.ts (esbuild, as scripts/bench/steps.mjs does)
// and runs it in this process. The probes drive the built CLI, so build first:
//   npm run build && node scripts/probe/run.mjs kills|disk-full|fuzz|amplification [options]
// Each prints what it did and its figures; see the header of each .ts for its options.
import { build } from 'esbuild';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const name = process.argv[2];
const entry = join(here, `${name}.ts`);
if (!name || !existsSync(entry)) {
  console.error('usage: node scripts/probe/run.mjs kills|disk-full|fuzz|amplification [options]');
  process.exit(2);
}
const outfile = join(tmpdir(), `rnn-lab-probe-${name}-${process.pid}.cjs`);
await build({
  entryPoints: [entry], bundle: true, platform: 'node', format: 'cjs', outfile, logLevel: 'error', sourcemap: 'inline',
  external: ['onnxruntime-node'], alias: { 'jsonc-parser': 'jsonc-parser/lib/esm/main.js' },
});
process.env.RNNLAB_PROBE_REPO ??= join(here, '..', '..');   // the repository whose dist/cli.js the probes run
process.env.RNNLAB_PROBE_SELF = outfile;     // a probe that measures in a fresh process runs this bundle again
await import(pathToFileURL(outfile).href);
