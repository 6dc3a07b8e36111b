// What the model predicts at each token of a text, for the Predictions panel and label hovers:
// lm: the distribution over the vocabulary at token t given tokens < t (primed like surprisal, with a
// line start), so p(token) = exp(−surprisal); tag: label probabilities per token, a line at a time;
// classify: label probabilities per line. Logits come from the pipeline's predictLogits (either
// backend); activations from the engine. Node-level, no vscode.
//
// T = tokens shown, C = head outputs (vocabulary for lm, labels otherwise), H = hidden, D = directions.
import { linesOf, predictLogits } from './textInference';
import { LINE_BREAK, UNK, type Tokenizer } from '../tokenizer';
import type { LayerActivations } from '../../engine/model';
import type { Alternative, LayerTrace, PredictedToken, PredictionResult, TextRegion } from '../../protocol/inference';
import type { OpenModel } from './modelCache';

/** Probabilities of one row of logits (C): softmax, or independent sigmoids for a sigmoid head. */
export function probabilities(logits: ArrayLike<number>, head: 'softmax' | 'sigmoid'): Float64Array {
  const C = logits.length;
  const p = new Float64Array(C);
  if (head === 'sigmoid') {
    for (let k = 0; k < C; k++) p[k] = 1 / (1 + Math.exp(-logits[k]));
    return p;
  }
  let max = -Infinity;
  for (let k = 0; k < C; k++) max = Math.max(max, logits[k]);
  let sum = 0;
  for (let k = 0; k < C; k++) sum += p[k] = Math.exp(logits[k] - max);
  for (let k = 0; k < C; k++) p[k] /= sum;
  return p;
}

/** The k largest entries of p (C), most likely first, named by `name`. */
export function topK(p: Float64Array, k: number, name: (id: number) => string): Alternative[] {
  const order = Array.from(p.keys()).sort((a, b) => p[b] - p[a] || a - b);
  return order.slice(0, Math.max(1, k)).map((id) => ({ token: name(id), p: p[id] }));
}

const shownToken = (text: string) => (text === LINE_BREAK ? '⏎' : text);

export function predictRegion(model: OpenModel, region: TextRegion, k: number, maxTokens: number, withActivations: boolean): PredictionResult {
  const { loaded, info } = model;
  const tokenizer = loaded.tokenizer;
  if (!tokenizer) throw new Error(`${loaded.source}: has no RNN Lab vocabulary (rnnlab.* metadata), so it cannot read text`);
  const head = loaded.spec.head;
  switch (info.task) {
    case 'lm': return predictLm(model, tokenizer, region, k, maxTokens, withActivations, head);
    case 'tag': return predictTags(model, tokenizer, region, k, maxTokens, withActivations, head);
    case 'classify': return predictClasses(model, tokenizer, region, k, maxTokens);
    default: throw new Error(`predictions are not available for ${info.task} models`);
  }
}

function predictLm(model: OpenModel, tokenizer: Tokenizer, region: TextRegion, k: number, maxTokens: number,
  withActivations: boolean, head: 'softmax' | 'sigmoid'): PredictionResult {
  const all = tokenizer.spans(region.text);
  const spans = all.slice(0, maxTokens);
  const ids = [tokenizer.primeIds('')[0], ...spans.map((s) => s.id)];
  const { logits } = predictLogits(model.loaded, { ids });
  const tokens: PredictedToken[] = [];
  const rows: number[] = [];        // activation row of each shown token: after reading it
  spans.forEach((s, t) => {
    if (s.text === LINE_BREAK && tokenizer.kind === 'word') return;
    const p = probabilities(logits[t], head);
    tokens.push({
      token: s.text === LINE_BREAK ? shownToken(s.text) : region.text.slice(s.start, s.end),
      start: region.offset + s.start, end: region.offset + s.end, unknown: s.id === UNK,
      p: p[s.id], top: topK(p, k, (id) => shownToken(tokenizer.tokenText(id))),
    });
    rows.push(t + 1);
  });
  const acts = withActivations ? model.loaded.activations(Int32Array.from(ids)) : null;
  return { info: model.info, tokens, layers: acts && traces(acts, rows), truncated: all.length > spans.length };
}

function predictTags(model: OpenModel, tokenizer: Tokenizer, region: TextRegion, k: number, maxTokens: number,
  withActivations: boolean, head: 'softmax' | 'sigmoid'): PredictionResult {
  const labels = model.info.labels;
  const tokens: PredictedToken[] = [];
  const perLine: LayerActivations[][] = [];
  const rowsPerLine: number[][] = [];
  let truncated = false;
  for (const line of linesOf(region.text)) {
    const spans = tokenizer.spans(line.text).filter((s) => s.text !== LINE_BREAK);
    if (spans.length === 0) continue;
    if (tokens.length + spans.length > maxTokens) { truncated = true; break; }
    const ids = spans.map((s) => s.id);
    const { logits } = predictLogits(model.loaded, { ids });
    spans.forEach((s, t) => {
      const p = probabilities(logits[t], head);
      const top = topK(p, k, (id) => labels[id] ?? String(id));
      tokens.push({
        token: line.text.slice(s.start, s.end), start: region.offset + line.start + s.start, end: region.offset + line.start + s.end,
        unknown: s.id === UNK, p: top[0].p, label: top[0].token, top,
      });
    });
    if (withActivations) {
      const acts = model.loaded.activations(Int32Array.from(ids));
      if (acts) { perLine.push(acts); rowsPerLine.push(ids.map((_, t) => t)); }
    }
  }
  const layers = withActivations && perLine.length ? concatTraces(perLine.map((acts, i) => traces(acts, rowsPerLine[i]))) : null;
  return { info: model.info, tokens, layers, truncated };
}

function predictClasses(model: OpenModel, tokenizer: Tokenizer, region: TextRegion, k: number, maxTokens: number): PredictionResult {
  const labels = model.info.labels;
  const tokens: PredictedToken[] = [];
  let truncated = false;
  for (const line of linesOf(region.text)) {
    const ids = Array.from(tokenizer.encode(line.text));
    if (line.text.trim() === '' || ids.length === 0) continue;
    if (tokens.length >= maxTokens) { truncated = true; break; }
    const { logits } = predictLogits(model.loaded, { ids });
    const p = probabilities(logits[0], 'softmax');
    const top = topK(p, k, (id) => labels[id] ?? String(id));
    tokens.push({
      token: line.text, start: region.offset + line.start, end: region.offset + line.start + line.text.length,
      unknown: ids.every((id) => id === UNK), p: top[0].p, label: top[0].token, top,
    });
  }
  return { info: model.info, tokens, layers: null, truncated };
}

const round = (x: number) => Math.round(x * 1e4) / 1e4;

/** Rows `rows` (time steps of a batch-1 forward) of each layer's activations, as plain arrays. */
function traces(acts: readonly LayerActivations[], rows: readonly number[]): LayerTrace[] {
  return acts.map((a) => {
    const DH = a.D * a.H, DGH = a.D * a.gates.length * a.H;
    const pick = (buf: Float32Array, width: number) => rows.map((t) => Array.from(buf.subarray(t * width, (t + 1) * width), round));
    return {
      layer: a.layer, D: a.D, H: a.H, gates: a.gates,
      hidden: pick(a.hidden, DH), cell: a.cell ? pick(a.cell, DH) : null, gateValues: pick(a.gateValues, DGH),
    };
  });
}

/** Layer traces of consecutive lines joined along time. */
function concatTraces(parts: LayerTrace[][]): LayerTrace[] {
  return parts[0].map((first, l) => ({
    ...first,
    hidden: parts.flatMap((p) => p[l].hidden),
    cell: first.cell ? parts.flatMap((p) => p[l].cell ?? []) : null,
    gateValues: parts.flatMap((p) => p[l].gateValues),
  }));
}
