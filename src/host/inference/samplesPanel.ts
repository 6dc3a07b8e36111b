// The Samples panel (viewType rnnLab.samples): one panel, revealed rather than recreated. The user
// picks a language model, prime text, temperature, top-k, top-p, length and seed; the inference
// worker streams the text token by token into the panel; a history of samples to copy or insert.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { InferenceJob, InferenceService } from '../../pipeline/inference/inferenceClient';
import { sampleLimits } from '../../pipeline/inference/sampleSettings';
import type { HostToSamples, ModelOption, SampleRecord, SampleSettings, SamplesToHost } from '../../protocol/samples';
import { openPanel, type OpenedPanel } from '../webview/panel';
import { connectWebview, type ConnectWebview } from '../webview/transport';
import { modelName, modelRef, runModels, type ModelMemory } from './modelChoice';
import { startingSettings } from './sampleDefaults';

export const samplesViewType = 'rnnLab.samples';
/** The settings each model was last sampled with: { [model path]: SampleSettings }. */
const SETTINGS_KEY = 'rnnLab.samples.settingsByModel';
const ONNX_FILES_KEY = 'rnnLab.samples.onnxFiles';
const HISTORY_KEPT = 30;

export class SamplesPanel implements vscode.Disposable {
  private panel: OpenedPanel<HostToSamples, SamplesToHost> | undefined;
  private ready: Promise<void> = Promise.resolve();
  private markReady: () => void = () => undefined;
  private history: SampleRecord[] = [];
  private selected: string | null = null;
  private current: { id: number; job: InferenceJob<number> } | undefined;
  private nextId = 1;
  private lastEditor: vscode.TextEditor | undefined = vscode.window.activeTextEditor;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(private readonly extensionUri: vscode.Uri, private readonly client: InferenceService,
    private readonly memory: ModelMemory, private readonly state: vscode.Memento,
    private readonly connect: ConnectWebview = connectWebview) {
    this.subscriptions.push(vscode.window.onDidChangeActiveTextEditor((e) => { if (e) this.lastEditor = e; }));
  }

  /** Opens (or reveals) the panel with `modelPath` selected; resolves once the webview is ready. */
  async open(modelPath?: string): Promise<void> {
    if (modelPath) this.select(modelPath);
    if (this.panel) {
      this.panel.view.reveal();
      this.post({ type: 'models', models: this.models(), selected: this.selected });
    } else {
      this.create();
    }
    await Promise.race([this.ready, new Promise((resolve) => setTimeout(resolve, 15_000))]);
  }

  /** Generates one sample into the panel; resolves when it is done, cancelled or failed. */
  async generate(modelPath: string, settings: SampleSettings): Promise<SampleRecord> {
    this.cancel();
    this.select(modelPath);
    void this.state.update(SETTINGS_KEY, { ...this.remembered(), [modelPath]: settings });
    const id = this.nextId++;
    let record: SampleRecord = { id, model: modelName(modelPath), settings, text: settings.prime, tokens: 0, status: 'streaming' };
    this.history = [record, ...this.history].slice(0, HISTORY_KEPT);
    const update = (next: SampleRecord) => {
      record = next;
      this.history = this.history.map((r) => (r.id === id ? next : r));
    };
    this.post({ type: 'started', sample: record });
    const job = this.client.sample(modelRef(modelPath), settings, (text) => {
      update({ ...record, text: record.text + text, tokens: record.tokens + 1 });
      this.post({ type: 'chunk', id, text, tokens: record.tokens });
    });
    this.current = { id, job };
    try {
      const tokens = await job.result;
      update({ ...record, status: tokens === undefined ? 'cancelled' : 'done' });
    } catch (e) {
      update({ ...record, status: 'failed', message: (e as Error).message });
      void vscode.window.showErrorMessage(`RNN Lab: sampling from ${modelName(modelPath)} failed: ${(e as Error).message}`);
    } finally {
      if (this.current?.id === id) this.current = undefined;
    }
    this.post({ type: 'finished', id, status: record.status === 'streaming' ? 'done' : record.status, tokens: record.tokens, message: record.message });
    return record;
  }

  /** What the panel starts at for a model (sampleDefaults.ts): its config's sampling, or how it was last sampled. */
  settings(modelPath: string | null = this.selected): SampleSettings {
    return startingSettings(modelPath, modelPath ? this.remembered()[modelPath] : undefined);
  }

  private remembered(): Record<string, SampleSettings> {
    return this.state.get<Record<string, SampleSettings>>(SETTINGS_KEY) ?? {};
  }

  cancel(): void {
    this.current?.job.cancel();
  }

  private select(modelPath: string): void {
    this.selected = modelPath;
    this.memory.remember(modelPath);
    if (modelPath.toLowerCase().endsWith('.onnx')) {
      const files = this.state.get<string[]>(ONNX_FILES_KEY) ?? [];
      if (!files.includes(modelPath)) void this.state.update(ONNX_FILES_KEY, [modelPath, ...files].slice(0, 10));
    }
  }

  private models(): ModelOption[] {
    const runs: ModelOption[] = runModels().filter((r) => r.task === 'lm')
      .map((r) => ({ path: r.dir, label: r.id, description: `${r.task} · ${r.status}`, settings: this.settings(r.dir) }));
    const files: ModelOption[] = (this.state.get<string[]>(ONNX_FILES_KEY) ?? [])
      .map((f) => ({ path: f, label: path.basename(f), description: 'ONNX model', settings: this.settings(f) }));
    const all = [...runs, ...files];
    if (this.selected && !all.some((m) => path.resolve(m.path) === path.resolve(this.selected!))) {
      all.unshift({ path: this.selected, label: modelName(this.selected), description: '', settings: this.settings(this.selected) });
    }
    return all;
  }

  private create(): void {
    this.ready = new Promise((resolve) => { this.markReady = resolve; });
    const opened: OpenedPanel<HostToSamples, SamplesToHost> = openPanel({
      viewType: samplesViewType, extensionUri: this.extensionUri, connect: this.connect,
      shell: { title: 'RNN Lab Samples', script: 'samples', styles: ['dist/webview/samples.css'] },
      receive: (m) => this.receive(m),
      disposed: () => {
        if (this.panel === opened) this.panel = undefined;
        this.cancel();
      },
    }, vscode.ViewColumn.Beside);
    this.panel = opened;
  }

  /** Posts to the webview once it is ready (before, `init` will carry the state). */
  private post(m: HostToSamples): void {
    this.panel?.post(m);
  }

  private async receive(m: SamplesToHost): Promise<void> {
    switch (m.type) {
      case 'ready':
        this.post({ type: 'init', models: this.models(), selected: this.selected, settings: this.settings(), limits: sampleLimits(), history: this.history });
        this.markReady();
        break;
      case 'generate':
        await this.generate(m.model, m.settings);
        break;
      case 'cancel':
        this.cancel();
        break;
      case 'browseModel': {
        const files = await vscode.window.showOpenDialog({ title: 'Sample from an ONNX Model', canSelectMany: false, filters: { 'ONNX model': ['onnx'] } });
        if (files?.[0]) {
          this.select(files[0].fsPath);
          this.post({ type: 'models', models: this.models(), selected: this.selected });
        }
        break;
      }
      case 'copy': {
        const record = this.history.find((r) => r.id === m.id);
        if (record) await vscode.env.clipboard.writeText(record.text);
        break;
      }
      case 'insert': {
        const record = this.history.find((r) => r.id === m.id);
        const editor = this.lastEditor;
        if (!record) break;
        if (!editor || editor.document.isClosed) {
          void vscode.window.showWarningMessage('RNN Lab: open a text editor to insert the sample into.');
          break;
        }
        await editor.edit((b) => b.replace(editor.selection, record.text));
        break;
      }
      case 'clearHistory':
        this.history = this.history.filter((r) => r.status === 'streaming');
        break;
      default: {
        const never: never = m;
        throw new Error(`samples panel: unknown message ${JSON.stringify(never)}`);
      }
    }
  }

  dispose(): void {
    this.cancel();
    this.panel?.view.dispose();
    for (const d of this.subscriptions) d.dispose();
  }
}
