// Messages between the extension host and the Attention panel webview (viewType rnnLab.attention):
// a seq2seq model's translation of the line at the editor's cursor, its beam's candidates and the
// attention matrix. Types only: the webview imports them with `import type`; both sides switch
// exhaustively on `type`.
import type { MessageTransport } from './transport';
import type { SourceTranslation, TranslationResult } from './inference';

export type { SourceTranslation, TranslationCandidate } from './inference';

/** What the search ran with and on what (a TranslationResult without its lines). */
export type TranslationSetup = Omit<TranslationResult, 'lines'>;

/** Host → Attention panel. */
export type HostToAttention =
  | { readonly type: 'busy'; readonly document: string; readonly line: number; readonly model: string }
  /** line: 1-based in the document. */
  | { readonly type: 'show'; readonly document: string; readonly model: string; readonly setup: TranslationSetup;
      readonly translation: SourceTranslation }
  /** The cursor's line has no source (blank). */
  | { readonly type: 'empty'; readonly document: string; readonly line: number; readonly model: string }
  | { readonly type: 'error'; readonly message: string };

/** Attention panel → host. */
export type AttentionToHost =
  | { readonly type: 'ready' }
  /** Search again with this beam width (1 = greedy); null = the model's own setting. */
  | { readonly type: 'beam'; readonly beam: number | null }
  | { readonly type: 'refresh' };

/** The host's end of the Attention panel's channel. */
export type AttentionTransport = MessageTransport<HostToAttention, AttentionToHost>;
