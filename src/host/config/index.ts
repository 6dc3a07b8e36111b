// The config feature: the .rnnconfig form editor, path completion and a code lens in the text
// editor, and New RNN Config.
import * as vscode from 'vscode';
import { Commands } from '../commands';
import type { FeatureContext } from '../feature';
import { ConfigEditorProvider } from './configEditor';
import { newConfig } from './newConfig';
import { DataPathCompletionProvider } from './pathCompletion';
import { TrainCodeLensProvider } from './trainCodeLens';

export function registerConfig(feature: FeatureContext): void {
  const { extension } = feature;
  const selector: vscode.DocumentSelector = { pattern: '**/*.rnnconfig' };
  extension.subscriptions.push(
    ConfigEditorProvider.register(extension),
    vscode.languages.registerCompletionItemProvider(selector, new DataPathCompletionProvider(), ...DataPathCompletionProvider.triggerCharacters),
    vscode.languages.registerCodeLensProvider(selector, new TrainCodeLensProvider()),
  );
  feature.registerCommand(Commands.newConfig, (target?: unknown, options?: unknown) => newConfig(extension.extensionUri, target, options));
}
