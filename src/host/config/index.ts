// The config feature: the .rnnconfig form editor, path completion and a code lens in the text
// editor, and New RNN Config. Integration tests reach open forms through an internal command.
import * as vscode from 'vscode';
import type { ConfigFormToHost, FormState, RenderedForm } from '../../protocol/configForm';
import { Commands } from '../commands';
import type { FeatureContext } from '../feature';
import { ConfigEditorProvider } from './configEditor';
import { newConfig } from './newConfig';
import { DataPathCompletionProvider } from './pathCompletion';
import { TrainCodeLensProvider } from './trainCodeLens';

/** Internal (not in package.json): drives an open form the way its webview does. */
export const configFormTestCommand = 'rnnLab.internal.configForm';

export type ConfigFormProbe =
  | { readonly kind: 'message'; readonly message: ConfigFormToHost }
  | { readonly kind: 'state' }
  | { readonly kind: 'rendered'; readonly version: number; readonly timeoutMs?: number };

export interface ConfigFormProbeResult {
  readonly open: number;                     // forms open on this document
  readonly posted?: FormState;               // what the host last sent
  readonly rendered?: RenderedForm;          // what the webview last reported showing
}

export function registerConfig(feature: FeatureContext): void {
  const { extension } = feature;
  const { provider, registration } = ConfigEditorProvider.register(extension);
  const selector: vscode.DocumentSelector = { pattern: '**/*.rnnconfig' };
  extension.subscriptions.push(
    registration,
    vscode.languages.registerCompletionItemProvider(selector, new DataPathCompletionProvider(), ...DataPathCompletionProvider.triggerCharacters),
    vscode.languages.registerCodeLensProvider(selector, new TrainCodeLensProvider()),
    vscode.commands.registerCommand(configFormTestCommand, async (uri: string, probe: ConfigFormProbe): Promise<ConfigFormProbeResult> => {
      const sessions = [...(provider.sessions.get(uri) ?? [])];
      const session = sessions[sessions.length - 1];
      if (!session) return { open: 0 };
      switch (probe.kind) {
        case 'message': await session.handle(probe.message); break;
        case 'rendered': await session.whenRendered(probe.version, probe.timeoutMs ?? 10_000); break;
        case 'state': break;
        default: { const unknown: never = probe; throw new Error(`unknown probe ${JSON.stringify(unknown)}`); }
      }
      return { open: sessions.length, posted: session.lastPosted, rendered: session.lastRendered };
    }),
  );
  feature.registerCommand(Commands.newConfig, (target?: unknown, options?: unknown) => newConfig(extension.extensionUri, target, options));
}
