// `npm test`: build, compile and type-check, then the test layers — unit (plain Node), pytorch (the
// exported PyTorch project against real PyTorch, which scripts/torch-venv.sh installs: the layer fails
// when it cannot), integration (mocha inside code-server's extension host), e2e (the packaged VSIX
// driven through the UI).
// Usage: node scripts/test.mjs [unit] [pytorch] [integration] [e2e]   (all when none is named)
// Prints per-layer counts and a last line "N passed, N failed"; exits 1 if a step or layer failed
// or a layer ran no test.
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installExtension, repoRoot, startCodeServer } from './code-server.mjs';
import { runIntegration, summaryPrefix } from './integration-layer.mjs';

const allLayers = ['unit', 'pytorch', 'integration', 'e2e'];
const asked = process.argv.slice(2);
const unknown = asked.filter((name) => !allLayers.includes(name));
if (unknown.length) {
  console.error(`test.mjs: unknown layer ${unknown.join(', ')}; expected any of ${allLayers.join(', ')}`);
  process.exit(2);
}
const layers = asked.length ? allLayers.filter((name) => asked.includes(name)) : allLayers;

/** Runs a command with inherited stdio, or with stdout echoed and returned when `capture` is set. */
function run(cmd, args, { env, capture = false } = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ['ignore', capture ? 'pipe' : 'inherit', 'inherit'] });
    let stdout = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk) => { stdout += chunk; process.stdout.write(chunk); });
    child.on('exit', (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), stdout }));
  });
}

const node = (script, ...args) => [process.execPath, [join(repoRoot, script), ...args]];

/** Counts from the summary line a mocha run printed (scripts/mocha-layer.mjs, test/integration/index.ts). */
function parseSummary(stdout) {
  const line = stdout.split('\n').reverse().find((l) => l.startsWith(summaryPrefix));
  return line ? JSON.parse(line.slice(summaryPrefix.length)) : { passed: 0, failed: 0, pending: 0 };
}

async function mochaLayer(target, timeoutMs, env) {
  const { code, stdout } = await run(...node('scripts/mocha-layer.mjs', target, '--timeout', String(timeoutMs)), { env, capture: true });
  return { ...parseSummary(stdout), exitCode: code };
}

const testFiles = (dir) => {
  try { return readdirSync(dir).filter((f) => f.endsWith('.test.js')).sort().map((f) => join(dir, f)); } catch { return []; }
};

const runLayer = {
  unit: () => mochaLayer(join(repoRoot, 'out', 'test', 'unit'), 20_000),

  /** The PyTorch of scripts/torch-venv.sh (last line of its output) for test/pytorch/*.test.ts. */
  async pytorch() {
    const venv = await run('bash', [join(repoRoot, 'scripts', 'torch-venv.sh')], { capture: true });
    const python = venv.stdout.trim().split('\n').pop();
    if (venv.code !== 0 || !python) {
      console.error('test: scripts/torch-venv.sh could not provide a PyTorch; the pytorch layer cannot run');
      return { passed: 0, failed: 0, pending: 0, exitCode: 1 };
    }
    return mochaLayer(join(repoRoot, 'out', 'test', 'pytorch'), 600_000, { RNNLAB_TORCH_PYTHON: python });
  },

  integration: () => runIntegration(),

  /** Packages the VSIX, installs it once, then gives each e2e test file its own code-server and a fresh
   * copy of samples/ (tests create files there), so files cannot disturb one another. */
  async e2e() {
    const packaged = await run(...node('scripts/package.mjs'), { capture: true });
    if (packaged.code !== 0) return { passed: 0, failed: 0, pending: 0, exitCode: packaged.code };
    const vsix = packaged.stdout.trim().split('\n').pop();
    const extensionsDir = mkdtempSync(join(tmpdir(), 'rnnlab-e2e-extensions-'));
    const total = { passed: 0, failed: 0, pending: 0, exitCode: 0 };
    try {
      installExtension(vsix, extensionsDir);
      // RNNLAB_E2E_FILES=firstHour,training: only the test files whose names contain one of these.
      const only = process.env.RNNLAB_E2E_FILES?.split(',').filter(Boolean);
      const files = testFiles(join(repoRoot, 'out', 'test', 'e2e')).filter((f) => !only || only.some((o) => f.includes(o)));
      for (const file of files) {
        const workspace = mkdtempSync(join(tmpdir(), 'rnnlab-e2e-workspace-'));
        cpSync(join(repoRoot, 'samples'), workspace, { recursive: true });
        const server = await startCodeServer({ workspace, extensionsDir });
        try {
          const result = await mochaLayer(file, 120_000, {
            RNNLAB_E2E_URL: server.url, RNNLAB_E2E_WORKSPACE: workspace, RNNLAB_E2E_VSIX: vsix, RNNLAB_E2E_EXTENSIONS_DIR: extensionsDir,
          });
          for (const key of ['passed', 'failed', 'pending']) total[key] += result[key];
          total.exitCode ||= result.exitCode;
        } finally {
          await server.stop();
          rmSync(workspace, { recursive: true, force: true });
        }
      }
    } finally {
      rmSync(extensionsDir, { recursive: true, force: true });
    }
    return total;
  },
};

const seconds = (since) => `${((Date.now() - since) / 1000).toFixed(1)} s`;
const report = [];
let failedSteps = 0;

const buildStarted = Date.now();
if ((await run(...node('scripts/build.mjs'))).code !== 0) {
  console.error('test: the esbuild build failed; no test ran');
  console.log('0 passed, 0 failed');
  process.exit(1);
}
// tsc emits out/ even with type errors, so the layers still run; the errors still fail the run.
for (const [what, args] of [['compile tests (tsc -p .)', ['-p', '.']], ['type-check webview (tsc -p webview)', ['-p', 'webview', '--noEmit']]]) {
  const { code } = await run(process.execPath, [join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'), ...args]);
  report.push(`${what}: ${code === 0 ? 'ok' : 'FAILED'}`);
  if (code !== 0) failedSteps++;
}
report.push(`build + compile: ${seconds(buildStarted)}`);

const totals = { passed: 0, failed: 0 };
for (const layer of layers) {
  const started = Date.now();
  console.log(`\n=== ${layer} ===`);
  let result;
  try {
    result = await runLayer[layer]();
  } catch (e) {
    console.error(`test: the ${layer} layer could not run: ${e.stack ?? e}`);
    result = { passed: 0, failed: 0, pending: 0, exitCode: 1 };
  }
  const ranNothing = result.passed + result.failed === 0;
  const ok = result.exitCode === 0 && result.failed === 0 && !ranNothing;
  if (!ok) failedSteps++;
  totals.passed += result.passed;
  totals.failed += result.failed;
  report.push(`${layer}: ${result.passed} passed, ${result.failed} failed, ${result.pending} pending (${seconds(started)})`
    + (ok ? '' : ranNothing ? ' — FAILED: no test ran' : ' — FAILED'));
}

console.log(`\n${report.join('\n')}`);
console.log(`${totals.passed} passed, ${totals.failed} failed`);
process.exit(failedSteps > 0 ? 1 : 0);
