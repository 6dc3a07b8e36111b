// The form editor for .rnnconfig files: a CustomTextEditorProvider (after custom-editor-sample's
// catScratchEditor) whose one model is the TextDocument. The form edits it through minimal
// WorkspaceEdits, so undo/redo, dirty state, save and hot exit are VS Code's own; every change of
// the text, from any editor or from disk, re-renders the form.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ConfigFormToHost, ConfigFormTransport, FormGroup, HostToConfigForm, JsonValue } from '../../protocol/configForm';
import { Commands } from '../commands';
import { renderShell, webviewOptions } from '../webview/html';
import { connectWebview, type ConnectWebview } from '../webview/transport';
import { fieldEdits } from './fieldEdits';
import { formGroups, formState } from './formModel';

export const configEditorViewType = 'rnnLab.configEditor';

/** One open form: its document and the channel to its webview. */
export class ConfigFormSession implements vscode.Disposable {
  private ready = false;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    readonly document: vscode.TextDocument,
    private readonly transport: ConfigFormTransport,
    private readonly groups: readonly FormGroup[],
  ) {
    this.disposables.push(
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document.uri.toString() === document.uri.toString() && e.contentChanges.length) this.postState('update');
      }),
      transport.onMessage((m) => this.handle(m)),
    );
  }

  private async handle(message: ConfigFormToHost): Promise<void> {
    switch (message.type) {
      case 'ready':
        this.ready = true;
        this.postState('init');
        return;
      case 'edit':
        await this.applyField(message.key, message.value);
        return;
      case 'reset':
        await this.applyField(message.key, undefined);
        return;
      case 'train':
        if (this.document.isDirty && !(await this.document.save())) {
          void vscode.window.showErrorMessage(`RNN Lab: could not save ${this.document.uri.fsPath}; training reads the file from disk.`);
          return;
        }
        await vscode.commands.executeCommand(Commands.trainWithConfig, this.document.uri);
        return;
      case 'openText':
        await openAsText(this.document.uri);
        return;
      case 'rendered':
        return;   // what the webview now shows: the host has nothing to do (a test's transport reads it)
      default: {
        const unknown: never = message;
        throw new Error(`config form: unknown message ${JSON.stringify(unknown)}`);
      }
    }
  }

  private async applyField(key: string, value: JsonValue | undefined): Promise<void> {
    const field = this.groups.flatMap((g) => g.fields).find((f) => f.key === key);
    if (!field) throw new Error(`config form: no field "${key}" in the schema`);
    const text = this.document.getText();
    const state = formState(text, this.document.version, this.groups);
    if (state.parseError) {
      // The form is disabled while the text is not JSON; an edit racing that state goes nowhere.
      this.postState('update');
      return;
    }
    const edits = fieldEdits(text, field.path, value);
    if (!edits.length) return;
    const edit = new vscode.WorkspaceEdit();
    for (const e of edits) {
      edit.replace(this.document.uri, new vscode.Range(this.document.positionAt(e.offset), this.document.positionAt(e.offset + e.length)), e.content);
    }
    if (!(await vscode.workspace.applyEdit(edit))) {
      void vscode.window.showErrorMessage(`RNN Lab: could not change ${key} in ${this.document.uri.fsPath} (is the file read-only?).`);
      this.postState('update');   // put the form back to what the text says
    }
  }

  private postState(type: 'init' | 'update'): void {
    if (!this.ready) return;
    const state = formState(this.document.getText(), this.document.version, this.groups);
    const message: HostToConfigForm = type === 'init'
      ? { type, fileName: path.basename(this.document.uri.path), groups: this.groups, state }
      : { type, state };
    this.transport.post(message);
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
    this.transport.dispose();
  }
}

/**
 * Opens a config in the text editor in place of its form: the form's tabs of that file close, so no
 * two tabs carry the same name (the text editor holds the same document, unsaved edits included).
 */
export async function openAsText(uri: vscode.Uri): Promise<void> {
  await vscode.commands.executeCommand('vscode.openWith', uri, 'default');
  // Read after the text editor opened: a form that was the active editor may have been replaced in place.
  const forms = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) =>
    t.input instanceof vscode.TabInputCustom && t.input.viewType === configEditorViewType && t.input.uri.toString() === uri.toString());
  if (forms.length) await vscode.window.tabGroups.close(forms, true);
}

export class ConfigEditorProvider implements vscode.CustomTextEditorProvider {
  private groups: FormGroup[] | undefined;

  static register(context: vscode.ExtensionContext): vscode.Disposable {
    return vscode.window.registerCustomEditorProvider(configEditorViewType, new ConfigEditorProvider(context.extensionUri),
      { webviewOptions: { retainContextWhenHidden: false }, supportsMultipleEditorsPerDocument: true });
  }

  /** `connect`: how a form reaches its webview (integration tests record the messages). */
  constructor(private readonly extensionUri: vscode.Uri, private readonly connect: ConnectWebview = connectWebview) {}

  /** Fills `panel` with the form of `document`; tests call it with a panel of their own. */
  resolveCustomTextEditor(document: vscode.TextDocument, panel: vscode.WebviewPanel): void {
    panel.webview.options = webviewOptions(this.extensionUri);
    panel.webview.html = renderShell(panel.webview, this.extensionUri, {
      title: path.basename(document.uri.path),
      script: 'configForm',
      styles: ['dist/webview/configForm.css'],
    });
    this.groups ??= formGroups();
    const transport = this.connect<HostToConfigForm, ConfigFormToHost>(panel.webview, configEditorViewType);
    const session = new ConfigFormSession(document, transport, this.groups);
    panel.onDidDispose(() => session.dispose());
  }
}
