// Labels regions of a document with the pipeline's labelText. Taggers and classifiers read one line at
// a time, so each line's result is cached by its text: after an edit only the changed lines run.
// A language model's surprisal depends on everything before, so a region is labelled whole.
// Work is cut into slices with a pause between them, so a cancel message can get in. Node-level.
import { labelText, linesOf } from './textInference';
import type { LabelResult, LineLabelItem, TextRegion, TokenLabelItem } from '../../protocol/inference';
import type { OpenModel } from './modelCache';

/** Resolves after a turn of the event loop; rejects (or returns false) when the job was cancelled. */
export type Pause = () => Promise<boolean>;

const SLICE_MS = 15;
const MAX_CACHED_LINES = 50_000;

type LineResult = { tokens: TokenLabelItem[] } | { line: LineLabelItem | null };

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
export async function labelRegions(model: OpenModel, regions: readonly TextRegion[],
  cache: LineLabelCache, pause: Pause): Promise<LabelOutcome | null> {
  if (model.info.task === 'lm') {
    const items: TokenLabelItem[] = [];
    for (const region of regions) {
      const labels = labelText(model.loaded, region.text);
      if (labels.kind !== 'tokens') throw new Error('a language model gave line labels');
      for (const t of labels.items) items.push({ ...t, start: t.start + region.offset, end: t.end + region.offset });
      if (!(await pause())) return null;
    }
    return { result: { kind: 'tokens', items }, linesComputed: regions.length, linesCached: 0 };
  }
  const lines = cache.of(model.key);
  const tokens: TokenLabelItem[] = [];
  const classes: LineLabelItem[] = [];
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
      else if (result.line) classes.push({ ...result.line, line: region.line + i + 1, start: at, end: at + text.length });
      if (Date.now() - sliceStart > SLICE_MS) {
        if (!(await pause())) return null;
        sliceStart = Date.now();
      }
    }
  }
  const result: LabelResult = model.info.task === 'classify' ? { kind: 'lines', items: classes } : { kind: 'tokens', items: tokens };
  return { result, linesComputed: computed, linesCached: cached };
}

function labelLine(model: OpenModel, text: string): LineResult {
  const labels = labelText(model.loaded, text);
  return labels.kind === 'tokens' ? { tokens: labels.items } : { line: labels.items[0] ?? null };
}
