// The Runs view (rnnLab.runs): every run folder under the runs folders with its status, best
// validation loss and the step model.onnx is from, live while a run trains here. Read from the run folders (run.json), so it
// survives a window reload; live sessions overlay their latest progress.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunStatus, RunSummary } from '../../protocol/api';
import { listRuns } from '../../pipeline/runStore';
import { Commands } from '../commands';
import type { TrainingSessions } from './sessions';
import { throttle } from './throttle';

const icons: Record<RunStatus, vscode.ThemeIcon> = {
  training: new vscode.ThemeIcon('sync~spin', new vscode.ThemeColor('charts.blue')),
  stopped: new vscode.ThemeIcon('debug-pause', new vscode.ThemeColor('charts.yellow')),
  finished: new vscode.ThemeIcon('pass', new vscode.ThemeColor('charts.green')),
  'early-stopped': new vscode.ThemeIcon('pass-filled', new vscode.ThemeColor('charts.green')),
  failed: new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground')),
  imported: new vscode.ThemeIcon('package'),
};

const fmt = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? undefined : Number(x.toPrecision(4)).toString());

/** One run in the view; commands from its context menu receive it (`item.dir`, `item.run`). */
export class RunItem extends vscode.TreeItem {
  readonly dir: string;
  constructor(readonly run: RunSummary) {
    super(run.id, vscode.TreeItemCollapsibleState.None);
    this.dir = run.dir;
    this.id = run.dir;
    this.resourceUri = vscode.Uri.file(run.dir);
    this.contextValue = `run.${run.status}`;
    this.iconPath = icons[run.status];
    const best = fmt(run.bestValLoss);
    const model = modelFrom(run);
    this.description = [run.status, run.task, `step ${run.step}`, best && `best val ${best}`, model && `model @ ${model.step}`].filter(Boolean).join(' · ');
    const tip = new vscode.MarkdownString();
    tip.appendMarkdown(`**${run.id}**\n\n`);
    tip.appendMarkdown(`status: ${run.status}  \ntask: ${run.task}  \nstep: ${run.step}  \n`);
    if (fmt(run.loss)) tip.appendMarkdown(`loss: ${fmt(run.loss)}  \n`);
    tip.appendMarkdown(`best validation loss: ${best ?? '–'}${best && run.bestStep !== undefined ? ` (step ${run.bestStep})` : ''}  \n`);
    if (model) tip.appendMarkdown(`model.onnx: the weights of step ${model.step} (${model.why})  \n`);
    tip.appendText(run.dir);
    this.tooltip = tip;
    this.command = { title: 'Open Training Dashboard', command: Commands.openDashboard, arguments: [run.dir] };
  }
}

export class RunsTreeProvider implements vscode.TreeDataProvider<RunItem>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscriptions: vscode.Disposable[] = [];
  private watchers: vscode.Disposable[] = [];
  private readonly refreshSoon = throttle(() => this.changed.fire(), 1000);

  constructor(private readonly sessions: TrainingSessions, private readonly runsFolders: () => string[]) {
    this.subscriptions.push(
      sessions.onDidStart(() => this.refresh()),
      sessions.onDidProgress(() => this.refreshSoon()),
      sessions.onDidEnd(() => this.refresh()),
      vscode.workspace.onDidChangeConfiguration((e) => { if (e.affectsConfiguration('rnnLab.runsFolder')) this.watch(); }),
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.watch()),
    );
    this.watch();
  }

  /** Runs on disk, newest first, with live progress for those training in this window. */
  runs(): RunSummary[] {
    const byDir = new Map<string, RunSummary>();
    for (const folder of this.runsFolders()) for (const r of listRuns(folder)) byDir.set(path.resolve(r.dir), r);
    for (const s of this.sessions.all()) {
      const key = path.resolve(s.runDir);
      const disk = byDir.get(key);
      const p = s.latest;
      byDir.set(key, {
        id: s.id, dir: s.runDir, status: 'training', task: s.task || disk?.task || '',
        step: p?.step ?? disk?.step ?? 0, loss: p?.loss ?? disk?.loss,
        bestValLoss: minDefined(disk?.bestValLoss, p?.valLoss),
        // run.json is rewritten at each new best (model.onnx with it), so the disk knows these live
        bestStep: disk?.bestStep, modelStep: disk?.modelStep,
      });
    }
    return [...byDir.values()].sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
  }

  getTreeItem(item: RunItem): RunItem { return item; }
  getChildren(item?: RunItem): RunItem[] { return item ? [] : this.runs().map((r) => new RunItem(r)); }

  refresh(): void {
    this.refreshSoon.cancel();
    this.changed.fire();
  }

  /** Run folders appear, change status or vanish: by this window, the CLI, or another window. */
  private watch(): void {
    for (const w of this.watchers) w.dispose();
    this.watchers = this.runsFolders().map((dir) => {
      const w = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(dir), '{*,*/run.json}'));
      w.onDidCreate(() => this.refreshSoon());
      w.onDidChange(() => this.refreshSoon());
      w.onDidDelete(() => this.refreshSoon());
      return w;
    });
  }

  dispose(): void {
    this.refreshSoon.cancel();
    for (const d of [...this.subscriptions, ...this.watchers, this.changed]) d.dispose();
  }
}

/** The step model.onnx holds (run.json's modelStep), and why that one. */
function modelFrom(run: RunSummary): { step: number; why: string } | undefined {
  if (run.modelStep === undefined) return undefined;
  return { step: run.modelStep, why: run.bestStep === run.modelStep ? 'the lowest validation loss' : 'the latest' };
}

function minDefined(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.min(a, b);
}
