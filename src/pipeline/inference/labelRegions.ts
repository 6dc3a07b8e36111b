// Labels regions of a document with the pipeline's labelText (a seq2seq model: each line's output,
// translateOne with the model's own search settings, as `rnn-lab label` does). Taggers, classifiers
// and seq2seq models read one line at a time, so each line's result is cached by its text: after an
// edit only the changed lines run.
// A language model's surprisal depends on everything before, so a region is labelled whole; so is a
// labelled tag file's region (token<TAB>label lines): its tokens are tagged a sequence at a time, as
// the tagger was trained, and each keeps its gold label.
// Work is cut into slices with a pause between them, so a cancel message can get in. Node-level.
import { readLabelledText } from '../labelledText';
import { labelText, linesOf } from './textInference';
import type { LabelResult, LineLabelItem, LineOutputItem, TextRegion, TokenLabelItem } from '../../protocol/inference';
import { sourceLines, translateOne, translateOptions, unknownTokens } from '../seq2seq/translate';
import type { OpenAnyModel } from './modelCache';

/** Resolves after a turn of the event loop; rejects (or returns false) when the job was cancelled. */
export type Pause = () => Promise<boolean>;

const SLICE_MS = 15;
const MAX_CACHED_LINES = 50_000;

/** One line's labels, offsets within the line (a blank line: no class, no output). */
type LineResult = { tokens: readonly TokenLabelItem[] } | { line: LineLabelItem | null } | { output: LineOutputItem | null };

export class LineLabelCache {
  private readonly byModel = new Map<string, Map<string, LineResult>>();

  of(modelKey: string): Map<string, LineResult> {
    let cache = this.byModel.get(modelKey);
    if (!cache) {
      this.byModel.clear();   // one model at a time is plenty; a changed model makes old lines useless
      this.byModel.set(modelKey, (cache = new Map()));
    }
    if (cache.size > MAX_CACHED_LINES) cache.clear();
    return cache;
  }
}

export interface LabelOutcome {
  readonly result: LabelResult;
  readonly linesComputed: number;
  readonly linesCached: number;
}

/** Labels every region (offsets shifted into the document); null when cancelled. */
export async function labelRegions(model: OpenAnyModel, regions: readonly TextRegion[],
  cache: LineLabelCache, pause: Pause): Promise<LabelOutcome | null> {
  if (model.kind === 'recurrent' && (model.info.task === 'lm' || (model.info.task === 'tag' && regions.every((r) => readLabelledText(r.text, 'tag'))))) {
    const items: TokenLabelItem[] = [];
    for (const region of regions) {
      const labels = labelText(model.loaded, region.text);
      if (labels.kind !== 'tokens') throw new Error(`a ${model.info.task} model gave line labels`);
      for (const t of labels.items) items.push({ ...t, start: t.start + region.offset, end: t.end + region.offset });
      if (!(await pause())) return null;
    }
    return { result: { kind: 'tokens', items }, linesComputed: regions.length, linesCached: 0 };
  }
  const lines = cache.of(model.key);
  const tokens: TokenLabelItem[] = [];
  const classes: LineLabelItem[] = [];
  const outputs: LineOutputItem[] = [];
  let computed = 0, cached = 0;
  let sliceStart = Date.now();
  for (const region of regions) {
    const regionLines = linesOf(region.text);
    for (let i = 0; i < regionLines.length; i++) {
      const { start, text } = regionLines[i];
      let result = lines.get(text);
      if (result) cached++;
      else {
        result = labelLine(model, text);
        lines.set(text, result);
        computed++;
      }
      const at = region.offset + start;
      if ('tokens' in result) for (const t of result.tokens) tokens.push({ ...t, start: t.start + at, end: t.end + at });
      else if ('line' in result) { if (result.line) classes.push({ ...result.line, line: region.line + i + 1, start: at, end: at + text.length }); }
      else if (result.output) outputs.push({ ...result.output, line: region.line + i + 1, start: result.output.start + at, end: result.output.end + at });
      if (Date.now() - sliceStart > SLICE_MS) {
        if (!(await pause())) return null;
        sliceStart = Date.now();
      }
    }
  }
  const result: LabelResult = model.kind === 'seq2seq' ? { kind: 'outputs', items: outputs }
    : model.info.task === 'classify' ? { kind: 'lines', items: classes } : { kind: 'tokens', items: tokens };
  return { result, linesComputed: computed, linesCached: cached };
}

function labelLine(model: OpenAnyModel, text: string): LineResult {
  if (model.kind === 'seq2seq') {
    const [source] = sourceLines(text);
    if (!source) return { output: null };
    const t = translateOne(model.loaded, source.source, translateOptions(model.loaded), 1, source.start);
    return { output: { line: 1, start: t.start, end: t.end, output: t.output, logProb: t.logProb, unknown: unknownTokens(t) } };
  }
  const labels = labelText(model.loaded, text);
  return labels.kind === 'tokens' ? { tokens: labels.items } : { line: labels.items[0] ?? null };
}
