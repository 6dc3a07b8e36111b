// The training feature: Train on This File, the Runs view, the training dashboard, stop and resume.
// Wires the parts together; each part lives in its own file of this folder.
import * as vscode from 'vscode';
import type { WorkerStart } from '../../protocol/worker';
import { Commands } from '../commands';
import { connectWebview, type ConnectWebview } from '../webview/transport';
import type { FeatureContext } from '../feature';
import { DashboardPanels } from './dashboardPanel';
import { pipelineStarter } from './pipelineStarter';
import { TrainingProgressUi } from './progressUi';
import * as runCommands from './runCommands';
import { exportPyTorch } from './exportPyTorch';
import { allRunsFolders } from './runsFolder';
import { RunsTreeProvider } from './runsView';
import { TrainingSessions, type Session, type TrainingStarter } from './sessions';
import { trainOnFile, trainWithConfig } from './trainCommands';
import { dataLocationsAllowed } from './workspaceTrust';

/**
 * The live objects of the feature. Integration tests build their own set (a "reload"), with a
 * recording `connect` to read the messages its dashboards exchange with their webviews.
 */
export interface TrainingFeature extends vscode.Disposable {
  readonly sessions: TrainingSessions;
  readonly runsView: RunsTreeProvider;
  readonly dashboards: DashboardPanels;
  /** Starts a run in a worker and opens its dashboard; errors become messages. True when it started. */
  begin(start: WorkerStart): boolean;
}

export function createTrainingFeature(extensionUri: vscode.Uri, starter: TrainingStarter = pipelineStarter,
  runsFolders: () => string[] = allRunsFolders, connect: ConnectWebview = connectWebview): TrainingFeature {
  const sessions = new TrainingSessions(starter);
  const runsView = new RunsTreeProvider(sessions, runsFolders);
  const dashboards = new DashboardPanels({
    extensionUri, sessions, connect,
    runChoices: () => runsView.runs().map((r) => ({ id: r.id, dir: r.dir, task: r.task })),
    onRunsChanged: runsView.onDidChangeTreeData,
    stop: (runDir) => sessions.get(runDir)?.stop(),
    resume: (runDir) => void vscode.commands.executeCommand(Commands.resumeRun, runDir),
  });
  return {
    sessions, runsView, dashboards,
    begin(start) {
      if (!dataLocationsAllowed(start)) return false;
      let session;
      try {
        session = sessions.begin(start);
      } catch (e) {
        void vscode.window.showErrorMessage(`RNN Lab: ${(e as Error).message}`);
        return false;
      }
      openDashboardClosedIfRefused(session, dashboards);
      return true;
    },
    dispose() { dashboards.dispose(); runsView.dispose(); sessions.dispose(); },
  };
}

/**
 * A run's dashboard opens at once (it says "starting…" while the data is read); a run refused before
 * it starts (a malformed data file, a config out of range) closes it again, so no empty tab stays:
 * the error toast says what is wrong.
 */
function openDashboardClosedIfRefused(session: Session, dashboards: DashboardPanels): void {
  dashboards.open(session.runDir);
  void session.ended.then((ending) => {
    if (ending.type === 'error' && !session.hasStarted) dashboards.close(session.runDir);
  });
}

export function registerTraining(feature: FeatureContext): void {
  const context = feature.extension;
  const training = createTrainingFeature(context.extensionUri);
  const { sessions, runsView, dashboards } = training;
  const treeView = vscode.window.createTreeView('rnnLab.runs', { treeDataProvider: runsView });
  context.subscriptions.push(training, new TrainingProgressUi(sessions), treeView, dashboards.registerSerializer());

  const deps: runCommands.RunCommandDeps = {
    sessions, runs: () => runsView.runs(), begin: (s) => training.begin(s),
    openDashboard: (dir, compareWith) => dashboards.open(dir, compareWith), closeDashboard: (dir) => dashboards.close(dir),
    refresh: () => runsView.refresh(),
  };
  feature.registerCommand(Commands.trainOnFile, (arg?: unknown) => trainOnFile(arg, context.extensionUri, training));
  feature.registerCommand(Commands.trainWithConfig, (arg?: unknown) => trainWithConfig(arg, training));
  feature.registerCommand(Commands.stopTraining, (arg?: unknown) => runCommands.stopTraining(deps, arg));
  feature.registerCommand(Commands.resumeRun, (arg?: unknown) => runCommands.resumeRun(deps, arg));
  feature.registerCommand(Commands.deleteRun, (arg?: unknown) => runCommands.deleteRun(deps, arg));
  feature.registerCommand(Commands.revealRun, (arg?: unknown) => runCommands.revealRun(deps, arg));
  feature.registerCommand(Commands.exportOnnx, (arg?: unknown, to?: unknown) => runCommands.exportOnnx(deps, arg, to));
  feature.registerCommand(Commands.exportPyTorch, (arg?: unknown, to?: unknown) => exportPyTorch(deps, arg, to));
  feature.registerCommand(Commands.openDashboard, (arg?: unknown) => runCommands.openDashboard(deps, arg));
  feature.registerCommand(Commands.refreshRuns, () => runsView.refresh());
  feature.api.runs = () => runsView.runs();
  void vscode.commands.executeCommand('setContext', 'rnnLab.isTraining', false);
}
