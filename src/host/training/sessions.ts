// Runs training now in this window: one worker each (the pipeline's startTraining), their latest
// progress, recent ‖∂L/∂a<t>‖ windows and samples, and events the UI listens to. The extension host
// only routes messages; all the work happens in the workers. Two or more runs can go at once.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunTask } from '../../protocol/api';
import type { GradWindow } from '../../protocol/dashboard';
import type { ProbeNeighbors, ProgressReport, WorkerStart, WorkerToHost } from '../../protocol/worker';

/** How a session talks to its worker; the pipeline's startTraining behind it (pipelineStarter.ts). */
export type TrainingStarter = (start: WorkerStart, onMessage: (message: WorkerToHost) => void) => { stop(): void };

export type Ending = Extract<WorkerToHost, { type: 'done' } | { type: 'error' }>;

/** ‖∂L/∂a‖ windows a session keeps: the rows of the dashboard's heat strip (sent in its init). */
export const GRAD_WINDOWS_KEPT = 120;
const samplesKept = 50;

/** "paris → rome 0.812, madrid 0.790, …", a line per probe word. */
export const probesText = (probes: readonly ProbeNeighbors[]): string =>
  probes.map((p) => `${p.word} → ${p.neighbors.map((n) => `${n.word} ${n.cosine.toFixed(3)}`).join(', ')}`).join('\n');

export class Session {
  state: 'starting' | 'training' | 'stopping' = 'starting';
  /** The worker said 'started': the run folder exists. A run that fails before has nothing to show. */
  hasStarted = false;
  task: RunTask = '';                 // until the worker's started message
  totalSteps = 0;
  latest: ProgressReport | undefined;
  readonly grads: GradWindow[] = [];
  readonly samples: { step: number; text: string }[] = [];
  /** embed: the latest report of the probe words' neighbours. */
  probes: Extract<WorkerToHost, { type: 'neighbors' }> | undefined;
  /** What the worker said the user should know (e.g. how many words data.vectors had). */
  readonly notes: string[] = [];
  readonly ended: Promise<Ending>;
  private resolveEnded!: (e: Ending) => void;
  private stopWorker: () => void = () => undefined;

  constructor(readonly start: WorkerStart) {
    this.ended = new Promise((resolve) => (this.resolveEnded = resolve));
  }

  get runDir(): string { return this.start.runDir; }
  get id(): string { return path.basename(this.start.runDir); }

  stop(): void {
    if (this.state === 'stopping') return;
    this.state = 'stopping';
    this.stopWorker();
  }

  /** @internal wiring by TrainingSessions */
  attach(stop: () => void): void { this.stopWorker = stop; }
  /** @internal */
  end(e: Ending): void { this.resolveEnded(e); }
}

export class TrainingSessions implements vscode.Disposable {
  private readonly sessions = new Map<string, Session>();
  private readonly started = new vscode.EventEmitter<Session>();
  private readonly progressed = new vscode.EventEmitter<{ session: Session; progress: ProgressReport }>();
  private readonly sampled = new vscode.EventEmitter<{ session: Session; step: number; text: string }>();
  private readonly finished = new vscode.EventEmitter<{ session: Session; ending: Ending }>();
  readonly onDidStart = this.started.event;
  readonly onDidProgress = this.progressed.event;
  readonly onDidSample = this.sampled.event;
  readonly onDidEnd = this.finished.event;

  constructor(private readonly starter: TrainingStarter) {}

  get(runDir: string): Session | undefined { return this.sessions.get(path.resolve(runDir)); }
  all(): Session[] { return [...this.sessions.values()]; }

  /** Starts a worker on `start`; throws when that run folder is already training here. */
  begin(start: WorkerStart): Session {
    const key = path.resolve(start.runDir);
    if (this.sessions.has(key)) throw new Error(`${start.runDir}: this run is already training`);
    const session = new Session(start);
    this.sessions.set(key, session);
    void this.updateContext();
    try {
      session.attach(this.starter(start, (m) => this.route(session, m)).stop);
    } catch (e) {
      this.route(session, { type: 'error', message: e instanceof Error ? e.message : String(e), badInput: false });
    }
    return session;
  }

  private route(session: Session, m: WorkerToHost): void {
    switch (m.type) {
      case 'started':
        if (session.state === 'starting') session.state = 'training';
        session.hasStarted = true;
        session.task = m.task;
        session.totalSteps = m.totalSteps;
        this.started.fire(session);
        break;
      case 'progress': {
        const p = m.progress;
        session.latest = p;
        if (p.dLda.length) {
          session.grads.push({ step: p.step, norms: p.dLda, clipped: p.clipped });
          if (session.grads.length > GRAD_WINDOWS_KEPT) session.grads.shift();
        }
        this.progressed.fire({ session, progress: p });
        break;
      }
      case 'sample':
        session.samples.push({ step: m.step, text: m.text });
        if (session.samples.length > samplesKept) session.samples.shift();
        this.sampled.fire({ session, step: m.step, text: m.text });
        break;
      case 'checkpoint':
        break;
      case 'neighbors': {
        // The dashboard shows them where a language model's samples go.
        session.probes = m;
        const text = probesText(m.probes);
        session.samples.push({ step: m.step, text });
        if (session.samples.length > samplesKept) session.samples.shift();
        this.sampled.fire({ session, step: m.step, text });
        break;
      }
      case 'note':
        session.notes.push(m.message);
        if (m.warning) void vscode.window.showWarningMessage(`RNN Lab: ${m.message}.`);
        break;
      case 'done':
      case 'error':
        if (this.sessions.get(path.resolve(session.runDir)) !== session) break;   // already ended
        this.sessions.delete(path.resolve(session.runDir));
        void this.updateContext();
        session.end(m);
        this.finished.fire({ session, ending: m });
        break;
      default: {
        const never: never = m;
        throw new Error(`training worker: unknown message ${JSON.stringify(never)}`);
      }
    }
  }

  private updateContext(): Thenable<unknown> {
    return vscode.commands.executeCommand('setContext', 'rnnLab.isTraining', this.sessions.size > 0);
  }

  /** Stops every run (window closing): each worker writes its checkpoint. */
  dispose(): void {
    for (const s of this.sessions.values()) s.stop();
    for (const e of [this.started, this.progressed, this.sampled, this.finished]) e.dispose();
  }
}
