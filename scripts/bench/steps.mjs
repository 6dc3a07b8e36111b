// Bundles steps.ts (esbuild, as the extension's build does) into a temp file and runs it in this process.
import { build } from 'esbuild';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';
import { tmpdir } from 'node:os';
const here = dirname(fileURLToPath(import.meta.url));
const outfile = join(tmpdir(), `rnn-lab-steps-${process.pid}.cjs`);
await build({ entryPoints: [join(here, 'steps.ts')], bundle: true, platform: 'node', format: 'cjs', outfile, logLevel: 'error', sourcemap: 'inline' });
await import(pathToFileURL(outfile).href);
