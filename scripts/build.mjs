// Bundles the extension host, the two workers (training, inference), the CLI and one browser bundle per webview.
// Usage: node scripts/build.mjs [--watch] [--minify]
import * as esbuild from 'esbuild';
import { existsSync, readdirSync, mkdirSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';

const watch = process.argv.includes('--watch');
const minify = process.argv.includes('--minify');
const root = new URL('..', import.meta.url).pathname;

const nodeCommon = {
  bundle: true, platform: 'node', format: 'cjs', target: 'node20', sourcemap: true, minify,
  external: ['vscode', 'onnxruntime-node'], logLevel: 'info',
  // jsonc-parser's UMD build requires its own files at run time, which esbuild cannot follow.
  alias: { 'jsonc-parser': 'jsonc-parser/lib/esm/main.js' },
};

const nodeEntries = [
  { in: 'src/host/extension.ts', out: 'extension' },
  { in: 'src/pipeline/training/trainingWorker.ts', out: 'trainingWorker' },
  { in: 'src/pipeline/inference/inferenceWorker.ts', out: 'inferenceWorker' },
  { in: 'src/cli.ts', out: 'cli', banner: '#!/usr/bin/env node' },
].filter((e) => existsSync(join(root, e.in)));

// webview/<panel>/main.ts → dist/webview/<panel>.js, and a panel's web worker webview/<panel>/worker.ts → dist/webview/<panel>Worker.js
const webviewEntries = existsSync(join(root, 'webview'))
  ? readdirSync(join(root, 'webview'), { withFileTypes: true })
      .filter((d) => d.isDirectory() && existsSync(join(root, 'webview', d.name, 'main.ts')))
      .flatMap((d) => [{ in: `webview/${d.name}/main.ts`, out: d.name },
        ...(existsSync(join(root, 'webview', d.name, 'worker.ts')) ? [{ in: `webview/${d.name}/worker.ts`, out: `${d.name}Worker` }] : [])])
  : [];

const contexts = [
  ...nodeEntries.map((e) => esbuild.context({
    ...nodeCommon, entryPoints: [join(root, e.in)], outfile: join(root, 'dist', `${e.out}.js`),
    banner: e.banner ? { js: e.banner } : undefined,
  })),
  ...(webviewEntries.length ? [esbuild.context({
    bundle: true, platform: 'browser', format: 'iife', target: 'es2022', sourcemap: true, minify, logLevel: 'info',
    entryPoints: Object.fromEntries(webviewEntries.map((e) => [e.out, join(root, e.in)])),
    outdir: join(root, 'dist', 'webview'), loader: { '.css': 'css' },
  })] : []),
];

// uPlot's stylesheet ships beside the webview bundles.
mkdirSync(join(root, 'dist', 'webview'), { recursive: true });
const uplotCss = join(root, 'node_modules', 'uplot', 'dist', 'uPlot.min.css');
if (existsSync(uplotCss)) copyFileSync(uplotCss, join(root, 'dist', 'webview', 'uPlot.min.css'));

const ctxs = await Promise.all(contexts);
if (watch) {
  await Promise.all(ctxs.map((c) => c.watch()));
} else {
  const results = await Promise.allSettled(ctxs.map((c) => c.rebuild()));
  await Promise.all(ctxs.map((c) => c.dispose()));
  if (results.some((r) => r.status === 'rejected')) process.exit(1);
}
