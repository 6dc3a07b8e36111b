// What a seq2seq model makes of text: one output per source line (a `source<TAB>target` line is read
// for its source), with its log-probability, the beam's candidates and the attention matrix. The
// CLI's translate and label, the inference worker (Attention panel, inline labels) and evaluation
// of files all go through here. Offsets are UTF-16 code units in the text, as VS Code counts.
import { beamSearch, greedySearch, type Translation } from '../../engine/seq2seq/search';
import { parsePairs } from '../formats';
import { inputError } from '../errors';
import { linesOf } from '../inference/textInference';
import { LINE_BREAK, UNK } from '../tokenizer';
import type { RnnConfig } from '../config';
import type { SourceTranslation, TranslateSettings } from '../../protocol/inference';
import type { PairExample } from './batches';
import { evaluateSeq2Seq, searchTokens, type Seq2SeqEvaluation } from './evaluate';
import type { LoadedSeq2Seq } from './model';

/** The search a translation runs with: TranslateSettings with every field given. */
export type TranslateOptions = Required<TranslateSettings>;

/** The model's own search settings (its config's sampling), overridden by what the caller gives. */
export function translateOptions(model: LoadedSeq2Seq, given: TranslateSettings = {}): TranslateOptions {
  const sampling = (model.meta.config as RnnConfig | null)?.sampling;
  const opts = {
    beam: given.beam ?? sampling?.beam ?? 4,
    lengthPenalty: given.lengthPenalty ?? sampling?.lengthPenalty ?? 0.7,
    maxLength: given.maxLength ?? sampling?.maxLength ?? 100,
  };
  if (!(Number.isInteger(opts.beam) && opts.beam >= 1)) throw inputError('beam', `${opts.beam}: expected a whole number ≥ 1 (1 = greedy)`);
  if (!(Number.isInteger(opts.maxLength) && opts.maxLength >= 1)) throw inputError('maxLength', `${opts.maxLength}: expected a whole number ≥ 1`);
  if (!(opts.lengthPenalty >= 0)) throw inputError('lengthPenalty', `${opts.lengthPenalty}: expected a number ≥ 0`);
  return opts;
}

/** The source of a line: before its first TAB when it has one (a source<TAB>target line). */
export function sourceOfLine(line: string): string {
  const tab = line.indexOf('\t');
  return tab < 0 ? line : line.slice(0, tab);
}

/** A line's source to translate: its text trimmed, where it starts in the text, its line (1-based). */
export interface SourceLine {
  readonly line: number;
  readonly start: number;
  readonly source: string;
}

/** The sources of the non-blank lines of text (lines in `only`, 1-based, when given). */
export function sourceLines(text: string, only?: ReadonlySet<number>): SourceLine[] {
  const out: SourceLine[] = [];
  linesOf(text).forEach(({ start, text: raw }, i) => {
    if (only && !only.has(i + 1)) return;
    const full = sourceOfLine(raw);
    const source = full.trim();
    if (source !== '') out.push({ line: i + 1, start: start + full.length - full.trimStart().length, source });
  });
  return out;
}

/** Translates every non-blank line of text (lines in `only`, 1-based, when given). */
export function translateText(model: LoadedSeq2Seq, text: string, opts: TranslateOptions, only?: ReadonlySet<number>): SourceTranslation[] {
  return sourceLines(text, only).map((s) => translateOne(model, s.source, opts, s.line, s.start));
}

/** One source, searched with the options (greedy when beam is 1). */
export function translateOne(model: LoadedSeq2Seq, source: string, opts: TranslateOptions, line = 1, offset = 0): SourceTranslation {
  const tok = model.sourceTokenizer, target = model.targetTokenizer;
  const spans = tok.spans(source).filter((s) => s.text !== LINE_BREAK || tok.kind === 'char');
  if (spans.length === 0) throw inputError(`line ${line}`, 'the source has no tokens');
  const ids = Int32Array.from(spans, (s) => s.id);
  const search = { ...searchTokens, maxLength: opts.maxLength, lengthPenalty: opts.lengthPenalty };
  const found: Translation[] = opts.beam > 1
    ? beamSearch(model.runner, ids, opts.beam, search)
    : greedySearch(model.runner, ids, ids.length, 1, Int32Array.of(ids.length), search);
  const best = found[0];
  return {
    line, start: offset, end: offset + source.length, source,
    output: target.decode(best.tokens), logProb: best.logProb, score: best.score, finished: best.finished,
    attention: best.attention, sourceTokens: spans.map((s) => source.slice(s.start, s.end)),
    sourceUnknown: spans.map((s) => s.id === UNK),
    outputTokens: best.tokens.map((id) => target.tokenText(id)),
    candidates: found.map((c) => ({ output: target.decode(c.tokens), logProb: c.logProb, score: c.score })),
  };
}

/** The distinct source tokens the model read as <unk> (never seen in training), in the order they first stand. */
export function unknownTokens(t: SourceTranslation): string[] {
  return [...new Set(t.sourceTokens.filter((_, j) => t.sourceUnknown[j]))];
}

/** `rnn-lab eval` on a seq2seq model: a source<TAB>target file → loss, exact match, BLEU (DESIGN §4 Evaluation). */
export function evaluateSeq2SeqFile(model: LoadedSeq2Seq, text: string, file: string, opts: TranslateOptions & { batchSize?: number; onProgress?: (done: number, total: number) => void }):
  { task: 'seq2seq'; loss: number; exactMatch: number; bleu: number; pairs: number } {
  const pairs = parsePairs(text, file);
  const examples: PairExample[] = pairs.map((p) => ({
    source: model.sourceTokenizer.encode(p.source.trim()),
    target: model.targetTokenizer.encode(p.target.trim()),
    reference: model.targetTokenizer.spans(p.target.trim()).map((s) => s.text),
    line: p.line,
  }));
  const bad = examples.find((e) => e.source.length === 0 || e.target.length === 0);
  if (bad) throw inputError(`${file}:${bad.line}`, 'a side has no tokens; expected "source<TAB>target"');
  const ev: Seq2SeqEvaluation = evaluateSeq2Seq(model.runner, examples, model.targetTokenizer, {
    batchSize: opts.batchSize ?? 64, maxLength: opts.maxLength, lengthPenalty: opts.lengthPenalty, beam: opts.beam, onProgress: opts.onProgress,
  });
  return { task: 'seq2seq', loss: ev.loss, exactMatch: ev.exactMatch, bleu: ev.bleu, pairs: ev.pairs };
}
