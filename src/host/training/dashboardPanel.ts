// The training dashboard panels (viewType rnnLab.dashboard): one per run, revealed rather than
// recreated; restored after a reload by the panel serializer from the webview's saved state.
// Reads the run folder for history, forwards live progress in batches (a few posts a second).
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type {
  DashboardRun, DashboardState, DashboardToHost, GradWindow, HostToDashboard, LiveFigures, MetricPoint, RunChoice,
} from '../../protocol/dashboard';
import type { RunStatus } from '../../protocol/api';
import { parseConfig } from '../../pipeline/config';
import { readJsonLines } from '../../pipeline/atomicFile';
import { effectiveStatus, readMetrics, readRunStatus, runFile, type GradientsLine } from '../../pipeline/runStore';
import { webviewOptions } from '../webview/html';
import { adoptPanel, type OpenedPanel } from '../webview/panel';
import { connectWebview, type ConnectWebview } from '../webview/transport';
import { pointFromProgress, pointsFromMetrics } from './metricPoints';
import { GRAD_WINDOWS_KEPT, probesText, type Session, type TrainingSessions } from './sessions';
import type { ProbeNeighbors } from '../../protocol/worker';
import { throttle } from './throttle';

export const dashboardViewType = 'rnnLab.dashboard';
const gradWindowsCompared = 5;   // an overlaid run's latest windows, drawn as the dashboard draws its own

export interface DashboardDeps {
  readonly extensionUri: vscode.Uri;
  readonly sessions: TrainingSessions;
  readonly runChoices: () => RunChoice[];
  /** Fires when runs appear, change or vanish (the overlay picker follows). */
  readonly onRunsChanged: vscode.Event<void>;
  readonly stop: (runDir: string) => void;
  readonly resume: (runDir: string) => void;
  /** How a panel reaches its webview (default: connectWebview). */
  readonly connect?: ConnectWebview;
}

/** Why an imported run's charts are empty, said where they are. */
export const IMPORTED_MESSAGE = 'Imported from an ONNX file: this model was not trained here, so it has no loss curve or gradient '
  + 'history to chart. Sample from it, label tokens with it, or export it.';

/** What the host knows of a run folder for the dashboard. */
export function readDashboardRun(runDir: string, session?: Session): { run: DashboardRun; metrics: MetricPoint[] } {
  const configFile = runFile(runDir, 'config');
  const config = fs.existsSync(configFile) ? fs.readFileSync(configFile, 'utf8') : '';
  let clipNorm = 0, totalSteps: number | undefined, tokenizer: DashboardRun['tokenizer'];
  try {
    const c = parseConfig(config, configFile);
    clipNorm = c.training.clipNorm;
    totalSteps = c.training.steps;
    tokenizer = c.data.tokenizer;
  } catch { /* a snapshot that no longer validates still shows its curves */ }
  const s = readRunStatus(runDir);
  const status: RunStatus = session ? 'training' : s ? effectiveStatus(runDir, s) : 'failed';
  const run: DashboardRun = {
    id: path.basename(runDir), dir: runDir, task: session?.task || s?.task || '', status,
    totalSteps: session?.totalSteps || s?.totalSteps || totalSteps, clipNorm, tokenizer,
    bestStep: s?.bestStep, modelStep: s?.modelStep,
    config: config || '(this run has no config snapshot)',
    message: session ? undefined : s?.message ?? (status === 'imported' ? IMPORTED_MESSAGE : undefined),
  };
  return { run, metrics: pointsFromMetrics(readMetrics(runDir), clipNorm) };
}

function liveFigures(session: Session | undefined): LiveFigures | undefined {
  const p = session?.latest;
  return p && { step: p.step, totalSteps: p.totalSteps, etaSec: p.etaSec, clipRate: p.clipRate, tokensPerSec: p.tokensPerSec };
}

class DashboardPanel implements vscode.Disposable {
  private readonly subscriptions: vscode.Disposable[] = [];
  private pendingMetrics: MetricPoint[] = [];
  private pendingGrads: GradWindow[] = [];
  /** Why this window's session failed, for an init after it (the webview may not have been ready). */
  private endMessage: string | undefined;
  private choicesKey = '';
  private readonly flushSoon = throttle(() => this.flush(), 200);
  /** Runs asked for beside this one (Open Training Dashboard with compareWith); the webview adds them to its overlays. */
  private readonly compareDirs = new Set<string>();
  /** Overlaid runs the webview asked for: re-posted while they train, so both gradient charts stay live. */
  private readonly overlaid = new Set<string>();
  private readonly refreshOverlays = throttle(() => { for (const dir of this.overlaid) this.postOverlay(dir); }, 1000);
  private readonly webview: OpenedPanel<HostToDashboard, DashboardToHost>;

  constructor(readonly panel: vscode.WebviewPanel, readonly runDir: string, private readonly deps: DashboardDeps,
    private readonly onClose: () => void) {
    panel.title = `Training: ${path.basename(runDir)}`;
    this.webview = adoptPanel(panel, {
      viewType: dashboardViewType, extensionUri: deps.extensionUri, connect: deps.connect ?? connectWebview,
      shell: { title: panel.title, script: 'dashboard', styles: ['dist/webview/dashboard.css'], initialState: { runDir } satisfies DashboardState },
      receive: (m) => this.receive(m),
      disposed: () => this.dispose(),
    });
    const same = (s: Session) => path.resolve(s.runDir) === path.resolve(runDir);
    this.subscriptions.push(
      deps.sessions.onDidStart((s) => { if (same(s)) this.sendInit(); }),
      deps.sessions.onDidProgress(({ session, progress }) => {
        if (this.overlaid.has(path.resolve(session.runDir))) this.refreshOverlays();
        if (!same(session)) return;
        this.pendingMetrics.push(pointFromProgress(progress));
        if (progress.dLda.length) this.pendingGrads.push({ step: progress.step, norms: progress.dLda, clipped: progress.clipped });
        this.flushSoon();
      }),
      deps.sessions.onDidSample(({ session, step, text }) => { if (same(session)) this.post({ type: 'sample', step, text }); }),
      deps.onRunsChanged(() => this.postRunChoices()),
      deps.sessions.onDidEnd(({ session, ending }) => {
        if (!same(session)) return;
        // The session has left the list by now: its last figures come with the event, so the final
        // steps reach the charts before the status says the run ended.
        this.flushSoon.cancel();
        this.flush(session);
        const status: RunStatus = ending.type === 'error' ? 'failed' : ending.reason;
        this.endMessage = ending.type === 'error' ? ending.message : undefined;
        this.post({ type: 'status', status, message: this.endMessage });
      }),
      panel.onDidDispose(() => this.dispose()),
    );
    this.followFiles();
  }

  /** A run another process writes (an exported PyTorch project's train.py, perhaps on another machine
   * through a shared disk) is followed through its files: polled (fs.watchFile), which network disks allow. */
  private followFiles(): void {
    const reread = throttle(() => { if (!this.deps.sessions.get(this.runDir)) this.sendInit(); }, 1000);
    const changed = (now: fs.Stats, before: fs.Stats) => { if (now.mtimeMs !== before.mtimeMs || now.size !== before.size) reread(); };
    for (const file of [runFile(this.runDir, 'metrics'), runFile(this.runDir, 'status')]) {
      fs.watchFile(file, { interval: 1000, persistent: false }, changed);
      this.subscriptions.push({ dispose: () => { fs.unwatchFile(file, changed); reread.cancel(); } });
    }
  }

  private post(m: HostToDashboard): void {
    this.webview.post(m);
  }

  private receive(m: DashboardToHost): void {
    switch (m.type) {
      case 'ready':
        this.sendInit();
        this.choicesKey = '';
        this.postRunChoices();
        break;
      case 'stop':
        this.deps.stop(this.runDir);
        break;
      case 'resume':
        this.deps.resume(this.runDir);
        break;
      case 'requestOverlay':
        if (this.postOverlay(m.dir)) this.overlaid.add(path.resolve(m.dir));
        break;
      case 'dropOverlay':
        this.overlaid.delete(path.resolve(m.dir));
        break;
      case 'openConfig':
        void vscode.window.showTextDocument(vscode.Uri.file(runFile(this.runDir, 'config')), { viewColumn: vscode.ViewColumn.Beside });
        break;
      default: {
        const never: never = m;
        throw new Error(`dashboard: unknown message ${JSON.stringify(never)}`);
      }
    }
  }

  /** Another run's loss curve and latest gradient windows (its live session's, else gradients.jsonl). False when it is no run. */
  private postOverlay(dir: string): boolean {
    const choice = this.deps.runChoices().find((c) => path.resolve(c.dir) === path.resolve(dir));
    if (!choice) return false;
    const session = this.deps.sessions.get(choice.dir);
    const grads = session?.grads.length ? session.grads : readGradients(choice.dir);
    this.post({ type: 'overlay', run: choice, metrics: readDashboardRun(choice.dir, session).metrics, grads: grads.slice(-gradWindowsCompared) });
    return true;
  }

  /** Draws `otherDir` beside this run (the webview keeps it among its overlays). */
  compare(otherDir: string): void {
    this.compareDirs.add(path.resolve(otherDir));
    if (this.webview.isReady) this.sendInit();
  }

  /** The overlay picker's runs, posted only when the list changed (re-rendering closes an open picker). */
  private postRunChoices(): void {
    const runs = this.deps.runChoices();
    const key = runs.map((r) => r.dir).join('\n');
    if (key === this.choicesKey) return;
    this.choicesKey = key;
    this.post({ type: 'runChoices', runs });
  }

  /** Everything from disk plus what this window holds in memory (gradient windows, samples). */
  sendInit(): void {
    this.flushSoon.cancel();
    this.pendingMetrics = [];
    this.pendingGrads = [];
    const session = this.deps.sessions.get(this.runDir);
    const { run: onDisk, metrics } = readDashboardRun(this.runDir, session);
    const run = onDisk.message || !this.endMessage ? onDisk : { ...onDisk, message: this.endMessage };
    const samples = session?.samples.length ? session.samples : readSamples(this.runDir);
    const grads = session?.grads.length ? session.grads : readGradients(this.runDir);
    this.post({ type: 'init', run, metrics, grads, samples, live: liveFigures(session), compare: [...this.compareDirs], gradWindowsKept: GRAD_WINDOWS_KEPT });
    if (this.webview.isReady) this.compareDirs.clear();   // asked once: a chip the user closes stays closed
  }

  private flush(session = this.deps.sessions.get(this.runDir)): void {
    if (!this.pendingMetrics.length && !this.pendingGrads.length) return;
    const live = liveFigures(session);
    if (!live) return;
    this.post({ type: 'progress', metrics: this.pendingMetrics, grads: this.pendingGrads, live });
    this.pendingMetrics = [];
    this.pendingGrads = [];
  }

  dispose(): void {
    this.flushSoon.cancel();
    this.refreshOverlays.cancel();
    for (const s of this.subscriptions) s.dispose();
    this.onClose();
  }
}

/** The latest windows of gradients.jsonl (a resumed run's file was trimmed to its checkpoint, so steps ascend). */
function readGradients(runDir: string): GradWindow[] {
  return readJsonLines<Partial<GradientsLine>>(runFile(runDir, 'gradients'))
    .filter((g): g is GradientsLine => typeof g.step === 'number' && Array.isArray(g.norms))
    .slice(-GRAD_WINDOWS_KEPT)
    .map((g) => ({ step: g.step, norms: g.norms, clipped: g.clipped === true }));
}

function readSamples(runDir: string): { step: number; text: string }[] {
  const probes = readJsonLines<{ step?: number; probes?: ProbeNeighbors[] }>(runFile(runDir, 'neighbors'));
  if (probes.length) return probes.filter((p) => Array.isArray(p.probes)).map((p) => ({ step: p.step ?? 0, text: probesText(p.probes!) }));
  return readJsonLines<{ step?: number; text?: string }>(runFile(runDir, 'samples'))
    .filter((s) => typeof s.text === 'string')
    .map((s) => ({ step: s.step ?? 0, text: s.text! }));
}

export class DashboardPanels implements vscode.Disposable {
  private readonly panels = new Map<string, DashboardPanel>();

  constructor(private readonly deps: DashboardDeps) {}

  /** Once per window: VS Code hands back the dashboards that were open before a reload. */
  registerSerializer(): vscode.Disposable {
    return vscode.window.registerWebviewPanelSerializer(dashboardViewType, {
      deserializeWebviewPanel: async (panel, state: DashboardState | undefined) => { this.restore(panel, state); },
    });
  }

  /** Opens (or reveals) the dashboard of a run; `compareWith` another run drawn beside it. */
  open(runDir: string, compareWith?: string): vscode.WebviewPanel {
    const existing = this.panels.get(path.resolve(runDir));
    if (existing) {
      existing.panel.reveal();
      if (compareWith) existing.compare(compareWith);
      return existing.panel;
    }
    const panel = vscode.window.createWebviewPanel(dashboardViewType, `Training: ${path.basename(runDir)}`,
      vscode.ViewColumn.Active, webviewOptions(this.deps.extensionUri));
    const adopted = this.adopt(panel, runDir);
    if (compareWith) adopted.compare(compareWith);
    return panel;
  }

  /** The serializer's path: a panel VS Code kept across a reload, with the state the webview saved. */
  restore(panel: vscode.WebviewPanel, state: DashboardState | undefined): void {
    const runDir = state?.runDir;
    if (!runDir || !fs.existsSync(runDir) || this.panels.has(path.resolve(runDir))) {
      panel.dispose();
      return;
    }
    this.adopt(panel, runDir);
  }

  private adopt(panel: vscode.WebviewPanel, runDir: string): DashboardPanel {
    const key = path.resolve(runDir);
    const adopted = new DashboardPanel(panel, runDir, this.deps, () => this.panels.delete(key));
    this.panels.set(key, adopted);
    return adopted;
  }

  close(runDir: string): void { this.panels.get(path.resolve(runDir))?.panel.dispose(); }

  dispose(): void {
    for (const p of [...this.panels.values()]) p.panel.dispose();
  }
}
