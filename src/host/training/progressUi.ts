// How a running training shows outside the dashboard: a progress notification per run whose Cancel
// stops it (the checkpoint is kept), one status-bar item (step, loss, tokens/s of the latest
// report; click opens that run's dashboard), and a message when a run ends.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Commands } from '../commands';
import type { Ending, Session, TrainingSessions } from './sessions';
import { nextStepsAfter } from './nextSteps';
import { fmt, progressLine, statusAccessibleLabel } from './statusText';
import { throttle } from './throttle';

export class TrainingProgressUi implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('rnnLab.training', vscode.StatusBarAlignment.Left, 50);
  private readonly subscriptions: vscode.Disposable[] = [];
  private lastShown?: Session;
  private readonly refreshSoon = throttle(() => this.refresh(), 250);

  constructor(private readonly sessions: TrainingSessions) {
    this.item.name = 'RNN Lab Training';
    this.subscriptions.push(
      sessions.onDidStart((s) => { this.lastShown = s; this.showNotification(s); this.refresh(); }),
      sessions.onDidProgress(({ session }) => { this.lastShown = session; this.refreshSoon(); }),
      sessions.onDidEnd(({ session, ending }) => { this.refresh(); void this.announce(session, ending); }),
    );
  }

  private refresh(): void {
    const running = this.sessions.all();
    if (running.length === 0) { this.item.hide(); return; }
    const shown = running.includes(this.lastShown!) ? this.lastShown! : running[running.length - 1];
    const p = shown.latest;
    const extra = running.length > 1 ? ` (+${running.length - 1} more)` : '';
    this.item.text = `$(pulse) ${p ? progressLine(p) : 'starting…'}${extra}`;
    this.item.tooltip = new vscode.MarkdownString(running.map((s) =>
      `**${s.id}** — ${s.latest ? progressLine(s.latest) : 'starting'}`).join('\n\n') + '\n\nClick to open the dashboard.');
    this.item.command = { title: 'Open Training Dashboard', command: Commands.openDashboard, arguments: [shown.runDir] };
    // What a screen reader says: the text without the $(pulse) icon's name, the tooltip without its **markdown**.
    this.item.accessibilityInformation = { role: 'button', label: statusAccessibleLabel(running.map((r) => ({ id: r.id, latest: r.latest })), shown.id) };
    this.item.show();
  }

  private showNotification(session: Session): void {
    void vscode.window.withProgress({
      location: vscode.ProgressLocation.Notification, cancellable: true, title: `Training ${session.id}`,
    }, (progress, cancel) => {
      cancel.onCancellationRequested(() => session.stop());
      let reported = 0;
      const report = throttle(() => {
        const p = session.latest;
        if (!p) return;
        const percent = p.totalSteps > 0 ? (100 * p.step) / p.totalSteps : 0;
        progress.report({ increment: Math.max(0, percent - reported), message: progressLine(p) });
        reported = Math.max(reported, percent);
      }, 500);
      const sub = this.sessions.onDidProgress(({ session: s }) => { if (s === session) report(); });
      return session.ended.finally(() => { sub.dispose(); report.cancel(); });
    });
  }

  private async announce(session: Session, ending: Ending): Promise<void> {
    if (ending.type === 'error') {
      // The button opens the file at fault where the message points: the config only when it is the problem.
      const at = ending.at;
      const action = at ? (at.kind === 'config' ? 'Open Config' : 'Open Data File') : undefined;
      const start = session.start;
      const what = session.hasStarted ? `training ${session.id} failed` : `cannot train on ${path.basename(start.dataPath ?? start.configPath ?? session.runDir)}`;
      const pick = await vscode.window.showErrorMessage(`RNN Lab: ${what}: ${ending.message}`, ...(action ? [action] : []));
      if (pick && at) {
        const line = Math.max(0, (at.line ?? 1) - 1);
        await vscode.window.showTextDocument(vscode.Uri.file(at.file), { selection: new vscode.Range(line, 0, line, 0) });
      }
      return;
    }
    const best = ending.bestValLoss !== undefined ? `, best validation loss ${fmt(ending.bestValLoss)}` : '';
    const what = ending.reason === 'stopped' ? 'stopped (checkpoint kept)'
      : ending.reason === 'early-stopped' ? 'stopped early (validation loss no longer improving)' : 'finished';
    const steps = nextStepsAfter(session.task);
    const pick = await vscode.window.showInformationMessage(`RNN Lab: ${session.id} ${what} at step ${ending.step}${best}.`, ...steps.map((s) => s.label));
    const step = steps.find((s) => s.label === pick);
    if (step) await vscode.commands.executeCommand(step.command, session.runDir);
  }

  dispose(): void {
    this.refreshSoon.cancel();
    this.item.dispose();
    for (const s of this.subscriptions) s.dispose();
  }
}
