// A code lens at the top of every .rnnconfig: "Train with This Config" and "Open in Form".
import * as vscode from 'vscode';
import { Commands } from '../commands';
import { configEditorViewType } from './configEditor';

export class TrainCodeLensProvider implements vscode.CodeLensProvider {
  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const top = new vscode.Range(0, 0, 0, 0);
    return [
      new vscode.CodeLens(top, { title: '$(play) Train with This Config', command: Commands.trainWithConfig, arguments: [document.uri] }),
      new vscode.CodeLens(top, { title: 'Open in Form', command: 'vscode.openWith', arguments: [document.uri, configEditorViewType] }),
    ];
  }
}
