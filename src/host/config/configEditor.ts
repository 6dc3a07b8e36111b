// The form editor for .rnnconfig files: a CustomTextEditorProvider (after custom-editor-sample's
// catScratchEditor) whose one model is the TextDocument. The form edits it through minimal
// WorkspaceEdits, so undo/redo, dirty state, save and hot exit are VS Code's own; every change of
// the text, from any editor or from disk, re-renders the form.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ConfigFormToHost, FormGroup, FormState, HostToConfigForm, JsonValue, RenderedForm } from '../../protocol/configForm';
import { Commands } from '../commands';
import { renderShell, webviewOptions } from '../webview/html';
import { fieldEdits } from './fieldEdits';
import { formGroups, formState } from './formModel';

export const configEditorViewType = 'rnnLab.configEditor';

/** One open form: its document, its panel, what it last posted and what the webview last showed. */
export class ConfigFormSession implements vscode.Disposable {
  private ready = false;
  private readonly disposables: vscode.Disposable[] = [];
  lastPosted: FormState | undefined;
  lastRendered: RenderedForm | undefined;
  private readonly renderedListeners = new Set<() => void>();

  constructor(
    readonly document: vscode.TextDocument,
    private readonly panel: vscode.WebviewPanel,
    private readonly groups: readonly FormGroup[],
    onDispose: () => void,
  ) {
    this.disposables.push(
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document.uri.toString() === document.uri.toString() && e.contentChanges.length) this.postState('update');
      }),
      panel.webview.onDidReceiveMessage((m: ConfigFormToHost) => { void this.handle(m); }),
      panel.onDidDispose(() => { onDispose(); this.dispose(); }),
    );
  }

  /** The one entry for the webview's messages; integration tests drive the form through it too. */
  async handle(message: ConfigFormToHost): Promise<void> {
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
        await vscode.commands.executeCommand('vscode.openWith', this.document.uri, 'default');
        return;
      case 'rendered':
        this.lastRendered = message.form;
        for (const listener of [...this.renderedListeners]) listener();
        return;
      default: {
        const unknown: never = message;
        throw new Error(`config form: unknown message ${JSON.stringify(unknown)}`);
      }
    }
  }

  /** Resolves once the webview has rendered document version `version` (or a later one). */
  whenRendered(version: number, timeoutMs: number): Promise<RenderedForm> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (this.lastRendered && this.lastRendered.version >= version) {
          this.renderedListeners.delete(check);
          clearTimeout(timer);
          resolve(this.lastRendered);
        }
      };
      const timer = setTimeout(() => {
        this.renderedListeners.delete(check);
        reject(new Error(`config form for ${this.document.uri.fsPath}: version ${version} not rendered within ${timeoutMs} ms (last rendered: ${this.lastRendered?.version ?? 'none'})`));
      }, timeoutMs);
      this.renderedListeners.add(check);
      check();
    });
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
    this.lastPosted = state;
    const message: HostToConfigForm = type === 'init'
      ? { type, fileName: path.basename(this.document.uri.path), groups: this.groups, state }
      : { type, state };
    void this.panel.webview.postMessage(message);
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
    this.renderedListeners.clear();
  }
}

export class ConfigEditorProvider implements vscode.CustomTextEditorProvider {
  /** Open forms by document URI (string form). */
  readonly sessions = new Map<string, Set<ConfigFormSession>>();
  private groups: FormGroup[] | undefined;

  static register(context: vscode.ExtensionContext): { provider: ConfigEditorProvider; registration: vscode.Disposable } {
    const provider = new ConfigEditorProvider(context.extensionUri);
    const registration = vscode.window.registerCustomEditorProvider(configEditorViewType, provider,
      { webviewOptions: { retainContextWhenHidden: false }, supportsMultipleEditorsPerDocument: true });
    return { provider, registration };
  }

  constructor(private readonly extensionUri: vscode.Uri) {}

  resolveCustomTextEditor(document: vscode.TextDocument, panel: vscode.WebviewPanel): void {
    panel.webview.options = webviewOptions(this.extensionUri);
    panel.webview.html = renderShell(panel.webview, this.extensionUri, {
      title: path.basename(document.uri.path),
      script: 'configForm',
      styles: ['dist/webview/configForm.css'],
    });
    this.groups ??= formGroups();
    const key = document.uri.toString();
    const session = new ConfigFormSession(document, panel, this.groups, () => {
      this.sessions.get(key)?.delete(session);
      if (this.sessions.get(key)?.size === 0) this.sessions.delete(key);
    });
    if (!this.sessions.has(key)) this.sessions.set(key, new Set());
    this.sessions.get(key)!.add(session);
  }
}
