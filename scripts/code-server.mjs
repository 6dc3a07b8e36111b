// Shared helpers for running a real VS Code (code-server) and a headless Chromium against it:
// used by the integration runner, the end-to-end tests and `npm start`. See recipes/real-vscode.md.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, existsSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const repoRoot = new URL('..', import.meta.url).pathname.replace(/\/$/, '');

/** Runs scripts/install-code-server.sh (about a second when already installed); returns the executable. */
export function ensureCodeServer() {
  const out = execFileSync('bash', [join(repoRoot, 'scripts', 'install-code-server.sh')],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const executable = out.trim().split('\n').pop();
  if (!executable || !existsSync(executable)) {
    throw new Error(`install-code-server.sh printed "${executable}", expected the path of an existing code-server`);
  }
  return executable;
}

/** A TCP port nobody listens on right now: `preferred` if it is free, else one the kernel picks. */
export async function findFreePort(preferred = 0) {
  const listenOnce = (port) => new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const { port: bound } = server.address();
      server.close(() => resolve(bound));
    });
  });
  if (preferred) {
    try { return await listenOnce(preferred); } catch { /* taken: fall through to any free port */ }
  }
  return listenOnce(0);
}

async function answersHealthz(port) {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(1000) });
    return res.status === 200;
  } catch {
    return false;
  }
}

// A quiet first start: no welcome walkthrough over the editor area, no telemetry.
const userSettings = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'extensions.ignoreRecommendations': true,
};

/**
 * Starts code-server on a free port in its own process group, with its own temp XDG config, user data
 * and (unless given) extensions folders, after installing `vsix` there if given. Resolves once
 * /healthz answers 200.
 * @param {{ workspace: string, extensionsDir?: string, vsix?: string, port?: number, log?: (line: string) => void }} options
 * @returns {Promise<{ url: string, port: number, pid: number, home: string, userDataDir: string,
 *   extensionsDir: string, stop: () => Promise<void> }>}
 */
export async function startCodeServer({ workspace, extensionsDir, vsix, port, log = () => {} }) {
  const executable = ensureCodeServer();
  port ??= await findFreePort();
  // A leftover server on the port would answer /healthz and silently take the run.
  if (await answersHealthz(port)) throw new Error(`port ${port} already serves a code-server; stop it first`);

  const home = mkdtempSync(join(tmpdir(), 'rnnlab-code-server-'));
  const userDataDir = join(home, 'data');
  extensionsDir ??= join(home, 'extensions');
  mkdirSync(join(home, 'config'), { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  writeFileSync(join(userDataDir, 'User', 'settings.json'), JSON.stringify(userSettings, null, 2));
  if (vsix) installExtension(vsix, extensionsDir);

  const child = spawn(executable, [
    '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--disable-telemetry', '--disable-update-check',
    '--disable-workspace-trust', '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir, workspace,
  ], {
    detached: true,                 // its own process group: kill(-pid) ends server, watcher and extension hosts
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, XDG_CONFIG_HOME: join(home, 'config') },
  });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  for (const stream of [child.stdout, child.stderr]) {
    stream.setEncoding('utf8');
    stream.on('data', (chunk) => chunk.split('\n').filter(Boolean).forEach((line) => log(line)));
  }

  const leftover = () => { killGroup(child.pid, 'SIGKILL'); rmSync(home, { recursive: true, force: true }); };
  stopOnExit(leftover);
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    running.delete(leftover);
    killGroup(child.pid, 'SIGTERM');
    await Promise.race([exited, delay(5000)]);
    killGroup(child.pid, 'SIGKILL');  // a server that ignored SIGTERM, and stragglers of its group (extension hosts)
    rmSync(home, { recursive: true, force: true });
  };

  const deadline = Date.now() + 30_000;
  let early;
  exited.then((e) => { early = e; });
  while (!(await answersHealthz(port))) {
    if (early) throw new Error(`code-server exited before answering /healthz (code ${early.code}, signal ${early.signal})`);
    if (Date.now() > deadline) { await stop(); throw new Error(`code-server did not answer /healthz on port ${port} within 30 s`); }
    await delay(200);
  }
  return { url: `http://127.0.0.1:${port}`, port, pid: child.pid, home, userDataDir, extensionsDir, stop };
}

// Servers live in their own process groups, so Ctrl-C or a crash of this process would not reach
// them: whatever is still running when this process exits is killed (synchronously) on the way out.
const running = new Set();
let exitHooked = false;
function stopOnExit(kill) {
  running.add(kill);
  if (exitHooked) return;
  exitHooked = true;
  process.on('exit', () => running.forEach((k) => k()));
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => process.exit(130));
}

function killGroup(pid, signal) {
  try { process.kill(-pid, signal); } catch (e) { if (e.code !== 'ESRCH') throw e; }
}

export const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Installs a VSIX into an extensions folder with code-server's own installer (no network). */
export function installExtension(vsix, extensionsDir) {
  const executable = ensureCodeServer();
  const scratch = mkdtempSync(join(tmpdir(), 'rnnlab-install-'));
  try {
    execFileSync(executable, ['--extensions-dir', extensionsDir, '--user-data-dir', join(scratch, 'data'),
      '--install-extension', vsix, '--force'], {
      stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, XDG_CONFIG_HOME: join(scratch, 'config') },
    });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** The Chromium to drive: $CHROMIUM_PATH, else Debian's. */
export function chromiumPath() {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter(Boolean);
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`no Chromium found (tried ${candidates.join(', ')}); run scripts/install-code-server.sh as root or set CHROMIUM_PATH`);
  return found;
}

/** Headless Chromium through playwright-core (which downloads no browser of its own). */
export async function launchChromium({ headless = true } = {}) {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: chromiumPath(),
    headless,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}
