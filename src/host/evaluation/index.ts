// Evaluate Model on File… (rnnLab.evaluate): a model (run or .onnx) scored on a labelled data file, as
// `rnn-lab eval` scores it, in an inference worker of its own (a long evaluation never holds up
// labels or samples), with a cancellable progress notification; the figures go to the Evaluation
// panel and to eval-<file>.json in the run folder. From the explorer (a data file), the Runs view
// (a run) and the palette; the rest is asked with quick picks.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { InferenceClient, type EvaluationAnswer, type EvaluationService } from '../../pipeline/inference/inferenceClient';
import type { EvalProgress } from '../../protocol/evaluation';
import { Commands } from '../commands';
import type { FeatureContext } from '../feature';
import { ModelMemory, modelName, modelPathOf, modelRef, pickModel } from '../inference/modelChoice';
import { EvaluationPanel } from './evaluationPanel';

/** Tasks eval scores (src/pipeline/eval/evalFile.ts). */
const EVAL_TASKS = ['lm', 'tag', 'classify', 'seq2seq'];

/** What an evaluation needs: a worker to run it in and the panel to show it. */
export interface Evaluator {
  readonly client: EvaluationService;
  readonly panel: EvaluationPanel;
}

const relative = (file: string) => vscode.workspace.asRelativePath(file, false);

/** "40% (1.2 of 3.0 MB)" */
function progressText({ done, total, unit }: EvalProgress): string {
  const share = total > 0 ? Math.min(1, done / total) : 0;
  const amount = unit === 'bytes' ? `${(done / 1e6).toFixed(1)} of ${(total / 1e6).toFixed(1)} MB` : `${done} of ${total} pairs`;
  return `${Math.round(share * 100)}% (${amount})`;
}

/**
 * Scores `modelPath` on `file` with a progress notification that can cancel it; resolves with the
 * worker's answer (undefined when cancelled), after the panel shows it. Rejects when the evaluation fails.
 */
export async function evaluateOnFile(evaluator: Evaluator, modelPath: string, file: string): Promise<EvaluationAnswer | undefined> {
  const { client, panel } = evaluator;
  const model = modelName(modelPath), name = relative(file);
  panel.running(model, name);
  return vscode.window.withProgress({
    location: vscode.ProgressLocation.Notification, title: `RNN Lab: evaluating ${model} on ${path.basename(file)}`, cancellable: true,
  }, async (progress, token) => {
    let reported = 0;   // percent already given to the notification (it takes increments)
    const job = client.evaluate(modelRef(modelPath), file, (p) => {
      const percent = p.total > 0 ? Math.floor(Math.min(1, p.done / p.total) * 100) : 0;
      if (percent <= reported) return;
      progress.report({ increment: percent - reported, message: progressText(p) });
      reported = percent;
      panel.running(model, name, p);
    });
    const cancel = token.onCancellationRequested(() => job.cancel());
    try {
      const answer = await job.result;
      if (!answer) {
        panel.cancelled(model, name);
        return undefined;
      }
      panel.result({ model, file: name, saved: relative(answer.saved), report: answer.report, ...(answer.step !== undefined ? { step: answer.step } : {}) }, answer.saved);
      return answer;
    } catch (e) {
      panel.error(`${model} on ${name}: ${(e as Error).message}`);
      throw e;
    } finally {
      cancel.dispose();
    }
  });
}

/** An existing file that is not a model: what the explorer passes for a data file. */
function dataFileOf(arg: unknown): string | undefined {
  const p = arg instanceof vscode.Uri ? (arg.scheme === 'file' ? arg.fsPath : undefined) : typeof arg === 'string' ? path.resolve(arg) : undefined;
  if (!p || p.toLowerCase().endsWith('.onnx')) return undefined;
  try {
    return fs.statSync(p).isFile() ? p : undefined;
  } catch {
    return undefined;
  }
}

interface FileItem extends vscode.QuickPickItem {
  readonly file?: string;
}

/** Asks for the labelled file: the active editor's file first, then an open dialog. */
async function pickDataFile(title: string): Promise<string | undefined> {
  const active = vscode.window.activeTextEditor?.document.uri;
  const items: FileItem[] = [];
  const activeFile = active && dataFileOf(active);
  if (activeFile) items.push({ label: `$(file) ${path.basename(activeFile)}`, description: 'the active editor', detail: activeFile, file: activeFile });
  items.push({ label: '$(folder-opened) Choose a File…', description: 'text in the task\'s data format, labelled' });
  const picked = items.length > 1 ? await vscode.window.showQuickPick(items, { title, placeHolder: 'The labelled file to evaluate on' }) : items[0];
  if (!picked) return undefined;
  if (picked.file) return picked.file;
  const files = await vscode.window.showOpenDialog({
    title, canSelectMany: false, openLabel: 'Evaluate on This File',
    defaultUri: activeFile ? vscode.Uri.file(path.dirname(activeFile)) : vscode.workspace.workspaceFolders?.[0]?.uri,
  });
  return files?.[0]?.fsPath;
}

export function registerEvaluation(feature: FeatureContext): void {
  const context = feature.extension;
  const client = new InferenceClient(path.join(context.extensionUri.fsPath, 'dist', 'inferenceWorker.js'));
  const panel = new EvaluationPanel(context.extensionUri);
  const memory = new ModelMemory(context.workspaceState);
  context.subscriptions.push(panel, { dispose: () => client.dispose() });

  // (data file Uri from the explorer) | (run item, run folder or .onnx [, data file]): scripts pass both.
  feature.registerCommand(Commands.evaluate, async (arg?: unknown, second?: unknown): Promise<EvaluationAnswer | undefined> => {
    const title = 'Evaluate Model on File';
    const fileFirst = dataFileOf(arg);
    const modelPath = (fileFirst ? undefined : modelPathOf(arg)) ?? await pickModel(title, EVAL_TASKS, memory);
    if (!modelPath) return undefined;
    const file = fileFirst ?? dataFileOf(second) ?? await pickDataFile(title);
    if (!file) return undefined;
    memory.remember(modelPath);
    try {
      return await evaluateOnFile({ client, panel }, modelPath, file);
    } catch (e) {
      void vscode.window.showErrorMessage(`RNN Lab: evaluating ${modelName(modelPath)} on ${path.basename(file)} failed: ${(e as Error).message}`);
      return undefined;
    }
  });
}
