// Completion of data file paths inside the strings of data.train, data.validation and data.vectors
// of a .rnnconfig, relative to the config's folder. VS Code's JSON support does the rest
// (keys, enums, hovers, diagnostics) from the schema contributed with jsonValidation.
import * as vscode from 'vscode';
import { getLocation, type Location } from 'jsonc-parser';

/** The fields whose string values are paths relative to the config. */
const pathFields: readonly (readonly string[])[] = [['data', 'train'], ['data', 'validation'], ['data', 'vectors']];

/** Folders never offered: run output, version control, dependencies. */
const skippedNames = new Set(['node_modules', '.git', '.rnnlab', '.vscode']);

export const isPathField = (location: Location): boolean =>
  !location.isAtPropertyKey && pathFields.some((p) => location.matches([...p]));

export class DataPathCompletionProvider implements vscode.CompletionItemProvider {
  static readonly triggerCharacters = ['"', '/'];

  async provideCompletionItems(document: vscode.TextDocument, position: vscode.Position): Promise<vscode.CompletionItem[]> {
    const text = document.getText();
    const offset = document.offsetAt(position);
    const location = getLocation(text, offset);
    const node = location.previousNode;
    if (!isPathField(location) || !node || node.type !== 'string') return [];
    // The typed part: from after the opening quote to the cursor.
    const typed = text.slice(node.offset + 1, offset);
    if (offset <= node.offset || typed.includes('"')) return [];
    const slash = typed.lastIndexOf('/');
    const folderPart = typed.slice(0, slash + 1);
    const configFolder = vscode.Uri.joinPath(document.uri, '..');
    const folder = folderPart ? vscode.Uri.joinPath(configFolder, folderPart) : configFolder;
    let entries: [string, vscode.FileType][];
    try {
      entries = await vscode.workspace.fs.readDirectory(folder);
    } catch {
      return [];   // the typed folder does not exist (yet)
    }
    const replace = new vscode.Range(document.positionAt(node.offset + 1 + slash + 1), position);
    return entries
      .filter(([name, type]) => !skippedNames.has(name) && !(type & vscode.FileType.File && /\.(rnnconfig|onnx)$/.test(name)))
      .map(([name, type]) => {
        const isFolder = (type & vscode.FileType.Directory) !== 0;
        const item = new vscode.CompletionItem(isFolder ? `${name}/` : name, isFolder ? vscode.CompletionItemKind.Folder : vscode.CompletionItemKind.File);
        item.range = replace;
        item.detail = `${folderPart}${name}${isFolder ? '/' : ''}, relative to this config`;
        item.sortText = `${isFolder ? '1' : '0'}${name}`;
        if (isFolder) item.command = { command: 'editor.action.triggerSuggest', title: 'Suggest files in the folder' };
        return item;
      });
  }
}
