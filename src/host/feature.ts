// What a feature module of the extension receives: a way to register its commands (disposed with
// the extension) and the mutable state behind the API object activate() returns.
import type * as vscode from 'vscode';
import type { EmbeddingsView, RunSummary, TokenDecoration, TokenPrediction } from '../protocol/api';
import type { CommandId } from './commands';

export interface ApiState {
  runs: () => readonly RunSummary[];
  decorations: (uri: string) => readonly TokenDecoration[];
  lastPredictions: () => readonly TokenPrediction[] | undefined;
  embeddings: () => EmbeddingsView | undefined;
}

export interface FeatureContext {
  readonly extension: vscode.ExtensionContext;
  registerCommand(id: CommandId, handler: (...args: any[]) => unknown): void;
  /** Features replace the parts of the API they own. */
  readonly api: ApiState;
}
