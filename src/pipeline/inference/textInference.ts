// What a trained model says about a text: per-token labels (tagger), per-line classes (classifier),
// per-token surprisal (language model), raw logits (predict). Ranges are UTF-16 offsets in the text.
// The CLI's label/predict and the editor's decorations both call these.
import { inputError } from '../errors';
import { argmax } from '../evaluate';
import { tagTokenId } from '../dataset';
import { LmScorer } from '../eval/lmScorer';
import { readLabelledText } from '../labelledText';
import type { LoadedModel } from '../loadModel';
import { EOS, LINE_BREAK, NON_TEXT_TOKENS, type Tokenizer } from '../tokenizer';
import { Rng } from '../../engine/rng';
import { sampleTokens } from '../../engine/sampler';
import { borrowSecondThread } from './samplingThreads';
import type { LineLabelItem, SampleSettings, TextLabels, TokenLabelItem } from '../../protocol/inference';

function needTokenizer(model: LoadedModel): { tokenizer: Tokenizer; labels: readonly string[]; task: string } {
  if (!model.meta || !model.tokenizer) {
    throw inputError(model.source, 'has no RNN Lab vocabulary (rnnlab.* metadata), so it cannot read text; give token ids (predict --ids)');
  }
  return { tokenizer: model.tokenizer, labels: model.meta.labels, task: model.meta.task };
}

export function labelText(model: LoadedModel, text: string): TextLabels {
  const { tokenizer, labels, task } = needTokenizer(model);
  switch (task) {
    case 'tag': return { kind: 'tokens', items: tagLines(model, tokenizer, labels, text) };
    case 'classify': return { kind: 'lines', items: classifyLines(model, tokenizer, labels, text) };
    case 'lm': return { kind: 'tokens', items: surprisal(model, tokenizer, text) };
    default: throw new Error(`labelling is not available for ${task} models`);
  }
}

/** A token to tag: its text and range in the document, its id, and its gold label in a labelled file. */
interface TagUnit { readonly token: string; readonly start: number; readonly end: number; readonly id: number; readonly gold?: string }

/**
 * The sequences to tag: a labelled file's sequences (its first column, see labelledText.ts), else each
 * line of the text as one sequence, as the tagger was trained on sentences.
 */
function tagSequences(tokenizer: Tokenizer, text: string): TagUnit[][] {
  const doc = readLabelledText(text, 'tag');
  if (doc?.task === 'tag') return doc.sequences.map((seq) => seq.map((t) => ({ token: t.text, start: t.start, end: t.end, id: tagTokenId(tokenizer, t.text), gold: t.gold })));
  return linesOf(text).map(({ start, text: line }) => tokenizer.spans(line).filter((s) => s.text !== LINE_BREAK)
    .map((s) => ({ token: line.slice(s.start, s.end), start: start + s.start, end: start + s.end, id: s.id })));
}

function tagLines(model: LoadedModel, tokenizer: Tokenizer, labels: readonly string[], text: string): TokenLabelItem[] {
  const out: TokenLabelItem[] = [];
  const C = model.spec.outputs;
  for (const units of tagSequences(tokenizer, text)) {
    if (units.length === 0) continue;
    const logits = model.forward(Int32Array.from(units, (u) => u.id), units.length, 1);
    units.forEach((u, t) => {
      const k = argmax(logits, t * C, C);
      out.push({ token: u.token, start: u.start, end: u.end, label: labels[k], p: probabilityOf(logits, t * C, C, k, model.spec.head), ...(u.gold !== undefined ? { gold: u.gold } : {}) });
    });
  }
  return out;
}

/** Each non-blank line is one example; of a labelled file (label<TAB>text) the text after the TAB. */
function classifyLines(model: LoadedModel, tokenizer: Tokenizer, labels: readonly string[], text: string): LineLabelItem[] {
  const doc = readLabelledText(text, 'classify');
  const rows = doc?.task === 'classify' ? doc.lines
    : linesOf(text).map(({ start, text: line }, i) => ({ line: i + 1, start, end: start + line.length, text: line, gold: undefined }));
  const out: LineLabelItem[] = [];
  const C = model.spec.outputs;
  for (const row of rows) {
    const ids = tokenizer.encode(row.text);
    if (row.text.trim() === '' || ids.length === 0) continue;
    const logits = model.forward(ids, ids.length, 1);
    const k = argmax(logits, 0, C);
    out.push({ line: row.line, start: row.start, end: row.end, label: labels[k], p: probabilityOf(logits, 0, C, k, 'softmax'), ...(row.gold !== undefined ? { gold: row.gold } : {}) });
  }
  return out;
}

/**
 * −ln p(token | everything before it), the first token conditioned on a line start: every token the
 * model predicts, line breaks too (<eos> for a word model), scored as `rnn-lab eval` scores a file.
 */
function surprisal(model: LoadedModel, tokenizer: Tokenizer, text: string): TokenLabelItem[] {
  const spans = tokenizer.spans(text);
  const out = new Array<TokenLabelItem>(spans.length);
  const scorer = new LmScorer(model.windows, model.spec.outputs, tokenizer.idOf(LINE_BREAK), (i, nats) => {
    const s = spans[i];
    out[i] = { token: text.slice(s.start, s.end), start: s.start, end: s.end, surprisal: nats };
  });
  for (const s of spans) scorer.push(s.id);
  scorer.finish();
  return out;
}

/** predict: tokens and one row of logits per input step (one row in all for a classifier). */
export function predictLogits(model: LoadedModel, input: { ids: number[] } | { text: string }): { tokens: string[]; logits: number[][] } {
  let ids: number[];
  let tokens: string[];
  if ('text' in input) {
    const { tokenizer } = needTokenizer(model);
    const spans = tokenizer.spans(input.text);
    ids = spans.map((s) => s.id);
    tokens = spans.map((s) => (s.id === EOS ? tokenizer.tokenText(EOS) : input.text.slice(s.start, s.end)));
  } else {
    ids = input.ids;
    const V = model.spec.vocabSize;
    const bad = ids.find((id) => !(Number.isInteger(id) && id >= 0 && id < V));
    if (bad !== undefined) throw inputError('--ids', `${bad} is not a token id of this model; expected whole numbers in 0..${V - 1}`);
    tokens = ids.map((id) => (model.tokenizer ? model.tokenizer.tokenText(id) : String(id)));
  }
  if (ids.length === 0) throw inputError('predict', 'no tokens to predict from; expected --ids with at least one id or a non-empty --text');
  const logits = model.forward(Int32Array.from(ids), ids.length, 1);
  const C = model.spec.outputs;
  const rows = model.spec.manyToOne ? 1 : ids.length;
  return { tokens, logits: Array.from({ length: rows }, (_, r) => Array.from(logits.subarray(r * C, (r + 1) * C))) };
}

function probabilityOf(logits: ArrayLike<number>, offset: number, C: number, k: number, head: 'softmax' | 'sigmoid'): number {
  if (head === 'sigmoid') return 1 / (1 + Math.exp(-logits[offset + k]));
  let max = -Infinity;
  for (let j = 0; j < C; j++) max = Math.max(max, logits[offset + j]);
  let sum = 0;
  for (let j = 0; j < C; j++) sum += Math.exp(logits[offset + j] - max);
  return Math.exp(logits[offset + k] - max) / sum;
}

/** Lines with their start offsets; line breaks (\n, \r\n, \r) are not part of a line. */
export function linesOf(text: string): { start: number; text: string }[] {
  const out: { start: number; text: string }[] = [];
  const re = /\r\n|\r|\n/g;
  let start = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    out.push({ start, text: text.slice(start, m.index) });
    start = m.index + m[0].length;
  }
  if (start < text.length) out.push({ start, text: text.slice(start) });
  return out;
}

/** Generated text of a language model, streamed: yields the text each new token adds. */
export function* sampleText(model: LoadedModel, request: SampleSettings): Generator<string, void, undefined> {
  const { tokenizer, task } = needTokenizer(model);
  if (task !== 'lm') throw inputError(model.source, `is a ${task} model; sampling needs a language model (task lm)`);
  let text = request.prime;
  const release = model.backend === 'engine' ? borrowSecondThread(model.spec, request.length) : () => undefined;
  try {
    const tokens = sampleTokens(model.stepper, {
      prime: tokenizer.primeIds(request.prime), length: request.length, temperature: request.temperature,
      topK: request.topK, topP: request.topP, rng: new Rng(request.seed), excludeTokens: NON_TEXT_TOKENS,
    });
    for (const id of tokens) {
      const next = tokenizer.appendDecoded(text, id);
      yield next.slice(text.length);
      text = next;
    }
  } finally {
    release();
  }
}
