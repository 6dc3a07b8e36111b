// The Evaluation panel (viewType rnnLab.evaluation): what Evaluate Model on File found, a model's
// figures on a labelled file (lm: loss, perplexity, bits per token; tag / classify: accuracy, macro
// F1, per-label scores and the confusion matrix; seq2seq: exact match, BLEU), while it runs its
// progress. One panel, revealed rather than recreated; it shows the latest evaluation.
import * as vscode from 'vscode';
import type { EvalProgress, EvaluationToHost, EvaluationView, HostToEvaluation } from '../../protocol/evaluation';
import { openPanel, type OpenedPanel } from '../webview/panel';
import { connectWebview, type ConnectWebview } from '../webview/transport';

export const evaluationViewType = 'rnnLab.evaluation';

export class EvaluationPanel implements vscode.Disposable {
  private panel: OpenedPanel<HostToEvaluation, EvaluationToHost> | undefined;
  /** The last message that says what the panel shows, posted again when a webview (re)starts. */
  private shown: HostToEvaluation | undefined;
  private savedFile: string | undefined;

  constructor(private readonly extensionUri: vscode.Uri, private readonly connect: ConnectWebview = connectWebview) {}

  running(model: string, file: string, progress?: EvalProgress): void {
    this.show({ type: 'running', model, file, ...(progress ? { progress } : {}) });
  }

  /** `savedFile`: the absolute path of eval-<file>.json, opened by the panel's Open Report. */
  result(view: EvaluationView, savedFile: string): void {
    this.savedFile = savedFile;
    this.show({ type: 'result', view });
  }

  cancelled(model: string, file: string): void { this.show({ type: 'cancelled', model, file }); }

  error(message: string): void { this.show({ type: 'error', message }); }

  private show(m: HostToEvaluation): void {
    this.shown = m;
    if (!this.panel) this.create();
    else if (m.type !== 'running' || !m.progress) this.panel.view.reveal(vscode.ViewColumn.Beside, true);
    this.panel?.post(m);
  }

  private create(): void {
    const opened: OpenedPanel<HostToEvaluation, EvaluationToHost> = openPanel({
      viewType: evaluationViewType, extensionUri: this.extensionUri, connect: this.connect,
      shell: { title: 'RNN Lab Evaluation', script: 'evaluation', styles: ['dist/webview/evaluation.css'] },
      receive: (m) => this.receive(m),
      disposed: () => { if (this.panel === opened) this.panel = undefined; },
    });
    this.panel = opened;
  }

  private async receive(m: EvaluationToHost): Promise<void> {
    switch (m.type) {
      case 'ready':
        if (this.shown) this.panel?.post(this.shown);
        break;
      case 'openReport':
        if (this.savedFile) await vscode.window.showTextDocument(vscode.Uri.file(this.savedFile), { viewColumn: vscode.ViewColumn.One });
        break;
      default: {
        const never: never = m;
        throw new Error(`evaluation panel: unknown message ${JSON.stringify(never)}`);
      }
    }
  }

  dispose(): void {
    this.panel?.view.dispose();
  }
}
