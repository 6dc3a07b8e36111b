// The Embeddings panel (viewType rnnLab.embeddings): the word vectors of a run (any model with an
// embedding) or of a GloVe / word2vec text file, projected and drawn by the webview (PCA, UMAP in its
// web worker), queried over every word through the inference worker (neighbours, analogies). One
// panel, revealed rather than recreated; "Show in Embeddings" selects a word in it.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { EmbeddingsView } from '../../protocol/api';
import type { EmbeddingsState, EmbeddingsToHost, HostToEmbeddings } from '../../protocol/embeddings';
import type { InferenceClient } from '../../pipeline/inference/inferenceClient';
import { webviewOptions, type WebviewShell } from '../webview/html';
import { adoptPanel, type OpenedPanel } from '../webview/panel';
import { connectWebview, type ConnectWebview } from '../webview/transport';

/** The inference worker's word-vector jobs (InferenceClient; tests may wrap one). */
export type VectorService = Pick<InferenceClient, 'vectorSpace' | 'vectorNeighbors' | 'vectorAnalogy'>;

export const embeddingsViewType = 'rnnLab.embeddings';
/** Words projected and drawn at most (the most frequent); the queries always see every word. */
export const DRAWN_WORDS = 10_000;


export class EmbeddingsPanel implements vscode.Disposable {
  private panel: OpenedPanel<HostToEmbeddings, EmbeddingsToHost> | undefined;
  private source: string | undefined;
  private pendingWord: string | undefined;
  private state: EmbeddingsView | undefined;

  constructor(private readonly extensionUri: vscode.Uri, private readonly client: VectorService,
    private readonly connect: ConnectWebview = connectWebview) {}

  /** What the panel shows now (tests and the API read it); undefined when it is closed. */
  current(): EmbeddingsView | undefined {
    return this.panel ? this.state : undefined;
  }

  /** Opens (or reveals) the panel on `source`; `word`, when given, is selected once the words are there. */
  show(source: string, word?: string): void {
    const same = this.panel && this.source === source;
    this.pendingWord = word;
    if (same) {
      this.panel!.view.reveal(undefined, true);
      if (word) this.post({ type: 'select', word });
      return;
    }
    this.source = source;
    this.state = { source, words: 0 };
    if (this.panel) {
      this.panel.view.reveal(undefined, true);
      this.panel.view.title = `Embeddings: ${path.basename(source)}`;
      this.panel.reload(this.shell(this.panel.view.webview, source));   // a new source: a fresh page
    } else {
      this.create(source);
    }
  }

  /** Selects a word in the open panel (Show in Embeddings); false when no panel is open. */
  select(word: string): boolean {
    if (!this.panel) return false;
    this.panel.view.reveal(undefined, true);
    if (this.panel.isReady) this.post({ type: 'select', word });
    else this.pendingWord = word;
    return true;
  }

  get openSource(): string | undefined {
    return this.panel ? this.source : undefined;
  }

  /** A panel VS Code restores after a reload (the serializer). */
  restore(panel: vscode.WebviewPanel, state: EmbeddingsState | undefined): void {
    if (!state?.source) { panel.dispose(); return; }
    this.source = state.source;
    this.state = { source: state.source, words: 0 };
    this.attach(panel, state.source, state);
  }

  private create(source: string): void {
    // Made here rather than by openPanel: the page's shell names its worker script by the webview's URL.
    const panel = vscode.window.createWebviewPanel(embeddingsViewType, `Embeddings: ${path.basename(source)}`,
      { viewColumn: vscode.ViewColumn.Active }, { ...webviewOptions(this.extensionUri), retainContextWhenHidden: true });
    this.attach(panel, source);
  }

  private attach(panel: vscode.WebviewPanel, source: string, state?: EmbeddingsState): void {
    const opened: OpenedPanel<HostToEmbeddings, EmbeddingsToHost> = adoptPanel(panel, {
      viewType: embeddingsViewType, extensionUri: this.extensionUri, connect: this.connect,
      shell: this.shell(panel.webview, source, state),
      receive: (m) => this.receive(m),
      disposed: () => {
        if (this.panel !== opened) return;
        this.panel = undefined;
        this.state = undefined;
      },
    });
    this.panel = opened;
  }

  private shell(webview: vscode.Webview, source: string, state?: EmbeddingsState): WebviewShell {
    const workerUrl = webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview', 'embeddingsWorker.js')).toString();
    return {
      title: 'RNN Lab Embeddings', script: 'embeddings', styles: ['dist/webview/embeddings.css'], workers: true,
      initialState: { ...state, source, workerUrl },
    };
  }

  private post(m: HostToEmbeddings): void {
    this.panel?.post(m);
  }

  private display(source: string): string {
    return vscode.workspace.asRelativePath(source);
  }

  private async receive(m: EmbeddingsToHost): Promise<void> {
    const source = this.source;
    if (!source) return;
    switch (m.type) {
      case 'ready': {
        this.post({ type: 'loading', source: this.display(source) });
        try {
          const space = await this.client.vectorSpace(source, this.display(source), DRAWN_WORDS).result;
          if (!space || this.source !== source) return;
          this.state = { source, words: space.words.length };
          this.post({ type: 'space', space });
          if (this.pendingWord) this.post({ type: 'select', word: this.pendingWord });
          this.pendingWord = undefined;
        } catch (e) {
          this.post({ type: 'error', message: (e as Error).message });
        }
        break;
      }
      case 'neighbors':
        try {
          const answer = await this.client.vectorNeighbors(source, m.word, m.k).result;
          if (!answer || this.source !== source) return;
          this.state = { ...this.state!, selected: { word: answer.word, neighbors: answer.neighbors } };
          this.post({ type: 'neighbors', word: answer.word, neighbors: answer.neighbors, placed: answer.placed });
        } catch (e) {
          this.post({ type: 'error', message: (e as Error).message });
        }
        break;
      case 'analogy':
        try {
          const answer = await this.client.vectorAnalogy(source, m.a, m.b, m.c, m.k).result;
          if (!answer || this.source !== source) return;
          this.post({ type: 'analogy', query: answer.query, answers: answer.answers, placed: answer.placed });
        } catch (e) {
          this.post({ type: 'error', message: (e as Error).message });
        }
        break;
      case 'projected':
        this.state = { ...this.state!, projected: { method: m.method, dims: m.dims, points: m.points } };
        break;
      default: {
        const never: never = m;
        throw new Error(`embeddings panel: unknown message ${JSON.stringify(never)}`);
      }
    }
  }

  dispose(): void {
    this.panel?.view.dispose();
  }
}
