// `npm run test:electron`: the same integration suites (out/test/integration/index) in desktop VS Code
// through @vscode/test-electron, for machines that can download VS Code (or set VSCODE_EXECUTABLE to
// an installed one). Offline, use `npm run test:integration` (code-server) instead.
//   VSCODE_VERSION   VS Code to download (default: the oldest this extension supports, from engines.vscode)
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTests } from '@vscode/test-electron';

const root = new URL('..', import.meta.url).pathname.replace(/\/$/, '');
const { engines } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const version = process.env.VSCODE_VERSION ?? engines.vscode.replace(/^[\^~>=]+/, '');

execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { stdio: 'inherit' });
try {
  execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', root], { stdio: 'inherit' });
} catch {
  console.error('test-electron: tsc reported type errors (tests were still emitted to out/)');
}

const workspace = mkdtempSync(join(tmpdir(), 'rnnlab-electron-workspace-'));
cpSync(join(root, 'samples'), workspace, { recursive: true });
let exitCode;
try {
  exitCode = await runTests({
    version,
    vscodeExecutablePath: process.env.VSCODE_EXECUTABLE,
    extensionDevelopmentPath: root,
    extensionTestsPath: join(root, 'out', 'test', 'integration', 'index'),
    launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust'],
  });
} catch (error) {
  const message = String(error?.message ?? error);
  const offline = /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|getaddrinfo|fetch failed|socket hang up/i.test(message);
  console.error(offline
    ? `test-electron: could not download VS Code ${version} (${message.split('\n')[0]}). This machine seems to be offline:`
      + ' run the same suites in code-server with `npm run test:integration`, or set VSCODE_EXECUTABLE to an installed VS Code.'
    : `test-electron: the run failed: ${message}`);
  exitCode = 1;
} finally {
  rmSync(workspace, { recursive: true, force: true });
}
process.exit(exitCode);
