// The integration layer: the mocha suites of out/test/integration run inside a real VS Code extension
// host (code-server), started by headless Chromium through the workbench's payload URL. The exit code
// comes from window.codeAutomationExit; extension-host console output arrives through
// window.codeAutomationLog and is forwarded here (that is also where the test counts come from).
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { format } from 'node:util';
import { launchChromium, repoRoot, startCodeServer } from './code-server.mjs';

export const summaryPrefix = 'RNNLAB-TEST-SUMMARY ';

// The workbench's own chatter that codeAutomationLog also carries; shown only with RNNLAB_VERBOSE=1.
const workbenchNoise = /^(Creation of workbench contribution|Creating a socket|Resolving connection token|Resolved connection token|\[Service Worker\]|Updating additional builtin|ChatSessionStore)|ENOTFOUND open-vsx\.org/;

/** The workbench's test payload: load this repository as the extension under development, run its suites. */
function payloadUrl(server, workspace) {
  const remote = (path) => `vscode-remote://127.0.0.1:${server.port}${path}`;
  const payload = [
    ['extensionDevelopmentPath', remote(repoRoot)],
    ['extensionTestsPath', remote(join(repoRoot, 'out', 'test', 'integration', 'index'))],
  ];
  return `${server.url}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
}

/**
 * Runs the suites once, in a temp copy of samples/ (tests may write there; the repository stays clean).
 * @returns {Promise<{ passed: number, failed: number, pending: number, exitCode: number }>}
 */
export async function runIntegration({ timeoutMs = Number(process.env.RNNLAB_INTEGRATION_TIMEOUT_MS ?? 600_000),
  verbose = Boolean(process.env.RNNLAB_VERBOSE) } = {}) {
  const workspace = mkdtempSync(join(tmpdir(), 'rnnlab-it-workspace-'));
  cpSync(join(repoRoot, 'samples'), workspace, { recursive: true });
  const serverLog = [];
  const server = await startCodeServer({ workspace, log: (line) => { serverLog.push(line); if (verbose) console.log(`[code-server] ${line}`); } });
  const browser = await launchChromium();
  let summary;
  try {
    const page = await browser.newPage();
    const exitCode = new Promise((resolve) => page.exposeFunction('codeAutomationExit', (code) => resolve(code)));
    await page.exposeFunction('codeAutomationLog', (type, args) => {
      const text = format(...(Array.isArray(args) ? args : [args]));
      for (const line of text.split('\n')) {
        if (line.startsWith(summaryPrefix)) summary = JSON.parse(line.slice(summaryPrefix.length));
      }
      if (!verbose && workbenchNoise.test(text)) return;
      (type === 'error' ? console.error : console.log)(text);
    });
    await page.goto(payloadUrl(server, workspace));
    const code = await Promise.race([exitCode,
      new Promise((resolve) => setTimeout(() => resolve('timeout'), timeoutMs).unref())]);
    if (code === 'timeout') {
      console.error(`integration: no codeAutomationExit within ${timeoutMs / 1000} s; last server log lines:\n  ${serverLog.slice(-20).join('\n  ')}`);
      return { passed: summary?.passed ?? 0, failed: (summary?.failed ?? 0) || 1, pending: summary?.pending ?? 0, exitCode: 1 };
    }
    if (!summary) {
      console.error(`integration: the extension host exited with code ${code} and printed no ${summaryPrefix.trim()} line;`
        + ` last server log lines:\n  ${serverLog.slice(-20).join('\n  ')}`);
    }
    return { passed: summary?.passed ?? 0, failed: summary?.failed ?? 0, pending: summary?.pending ?? 0, exitCode: Number(code) };
  } finally {
    await browser.close();
    await server.stop();
    rmSync(workspace, { recursive: true, force: true });
  }
}
