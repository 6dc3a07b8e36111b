// Tokenizers: character level (Unicode code points, never UTF-16 halves) and word level (words and
// punctuation). Every token keeps its exact range in the source, in UTF-16 code units (JS / VS Code).
//
// Line breaks (\n, \r\n, \r) are one token: "\n" for char level, <eos> (end of sentence) for word level.
// Ids 0..2 are <pad>, <unk>, <eos>; the rest is the vocabulary learnt from the training data.

export type TokenizerKind = 'char' | 'word';

export const PAD = 0;
export const UNK = 1;
export const EOS = 2;
export const SPECIAL_TOKENS: readonly string[] = ['<pad>', '<unk>', '<eos>'];
/** Placeholders that are not text: a language model never samples them. */
export const NON_TEXT_TOKENS: readonly number[] = [PAD, UNK];
export const LINE_BREAK = '\n';

/** A token's text (after lowercasing, line breaks as "\n") and its range [start, end) in UTF-16 units. */
export interface TokenSpan {
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

/** What is saved with a model to tokenize exactly as in training. */
export interface TokenizerSpec {
  readonly kind: TokenizerKind;
  readonly lowercase: boolean;
  readonly vocab: readonly string[];   // id → token; starts with SPECIAL_TOKENS
}

// A word: letters, marks and digits, with inner apostrophes (don't, l'homme); else one code point
// that is not white space (punctuation, symbols, emoji); line breaks apart. A word is at most
// MAX_WORD_PIECE code units (and 16 apostrophes); a longer one is cut into pieces of that size: with
// unbounded repeats, V8's regular expressions ran out of stack on a 10 MB word (issue 16's fuzz).
export const MAX_WORD_PIECE = 1000;
const WORD_LETTERS = `[\\p{L}\\p{M}\\p{N}_]{1,${MAX_WORD_PIECE}}`;
const WORD_PIECE = new RegExp(`${WORD_LETTERS}(?:['’]${WORD_LETTERS}){0,16}|\\r\\n|\\r|\\n|[^\\s]`, 'gu');

/** Splits text into token spans; calls `visit` per token, so a 100 MB text needs no span array. */
export function forEachPiece(kind: TokenizerKind, text: string, lowercase: boolean,
  visit: (piece: string, start: number, end: number) => void): void {
  if (kind === 'char') {
    for (let i = 0; i < text.length;) {
      const code = text.charCodeAt(i);
      if (code === 13 /* \r */) {
        const end = text.charCodeAt(i + 1) === 10 ? i + 2 : i + 1;
        visit(LINE_BREAK, i, end);
        i = end;
        continue;
      }
      const width = code >= 0xd800 && code <= 0xdbff && i + 1 < text.length ? 2 : 1;
      visit(text.slice(i, i + width), i, i + width);
      i += width;
    }
    return;
  }
  WORD_PIECE.lastIndex = 0;
  for (let m = WORD_PIECE.exec(text); m !== null; m = WORD_PIECE.exec(text)) {
    const raw = m[0];
    const isBreak = raw === '\n' || raw === '\r' || raw === '\r\n';
    visit(isBreak ? LINE_BREAK : lowercase ? raw.toLowerCase() : raw, m.index, m.index + raw.length);
  }
}

export function splitTokens(kind: TokenizerKind, text: string, lowercase = false): TokenSpan[] {
  const spans: TokenSpan[] = [];
  forEachPiece(kind, text, lowercase, (t, start, end) => spans.push({ text: t, start, end }));
  return spans;
}

/** A vocabulary bound to a tokenizer kind: text ↔ ids, with exact source ranges. */
export class Tokenizer {
  private readonly index = new Map<string, number>();

  constructor(readonly spec: TokenizerSpec) {
    const { vocab } = spec;
    if (vocab.length < SPECIAL_TOKENS.length || SPECIAL_TOKENS.some((t, i) => vocab[i] !== t)) {
      throw new Error(`tokenizer vocabulary must start with ${SPECIAL_TOKENS.join(', ')}; got ${vocab.slice(0, 3).join(', ')}`);
    }
    vocab.forEach((token, id) => this.index.set(token, id));
  }

  get kind(): TokenizerKind { return this.spec.kind; }
  get size(): number { return this.spec.vocab.length; }

  /** Id of one token text (as forEachPiece yields it); unknown → <unk>. */
  idOf(piece: string): number {
    if (piece === LINE_BREAK && this.spec.kind === 'word') return EOS;
    return this.index.get(piece) ?? UNK;
  }

  tokenText(id: number): string {
    return this.spec.vocab[id] ?? SPECIAL_TOKENS[UNK];
  }

  /** Tokens of `text` with ids and UTF-16 ranges. */
  spans(text: string): (TokenSpan & { readonly id: number })[] {
    const out: (TokenSpan & { id: number })[] = [];
    forEachPiece(this.spec.kind, text, this.spec.lowercase, (t, start, end) => out.push({ text: t, start, end, id: this.idOf(t) }));
    return out;
  }

  encode(text: string): Int32Array {
    const ids: number[] = [];
    forEachPiece(this.spec.kind, text, this.spec.lowercase, (t) => ids.push(this.idOf(t)));
    return Int32Array.from(ids);
  }

  /** Prime text as ids for sampling; an empty prime starts at a line break (<eos> for words). */
  primeIds(prime: string): number[] {
    const ids = Array.from(this.encode(prime));
    return ids.length > 0 ? ids : [this.idOf(LINE_BREAK)];
  }

  /** Text of generated ids: chars concatenate; words are joined by spaces, none before punctuation. */
  decode(ids: ArrayLike<number>): string {
    let out = '';
    for (let i = 0; i < ids.length; i++) out = this.appendDecoded(out, ids[i]);
    return out;
  }

  /** Appends one generated token to text produced so far (streaming samples). */
  appendDecoded(text: string, id: number): string {
    if (id === PAD) return text;
    if (this.spec.kind === 'char') return text + (id === EOS ? '\n' : id === UNK ? '\ufffd' : this.tokenText(id));
    if (id === EOS) return text + '\n';
    const token = this.tokenText(id);
    const isPunctuation = id >= SPECIAL_TOKENS.length && /^[^\p{L}\p{N}_(\["'“‘]/u.test(token);
    // No space after white space already there (a prime "The " stays one space), an opening bracket or quote.
    const glue = text === '' || /\s$/u.test(text) || isPunctuation || /[(\["“‘]$/u.test(text) ? '' : ' ';
    return text + glue + token;
  }
}

/**
 * Builds a vocabulary from token counts: specials, then tokens seen at least `minCount` times,
 * most frequent first (ties by code unit order) so that ids are deterministic; at most maxVocab
 * of them (0 = all). Word level passes
 * counts without line breaks (they are <eos>).
 */
export function vocabFromCounts(counts: ReadonlyMap<string, number>, minCount: number, maxVocab = 0): string[] {
  const kept = [...counts].filter(([t, n]) => n >= minCount && !SPECIAL_TOKENS.includes(t));
  kept.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  if (maxVocab > 0) kept.length = Math.min(kept.length, maxVocab);
  return [...SPECIAL_TOKENS, ...kept.map(([t]) => t)];
}
