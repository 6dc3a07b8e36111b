// Translating regions of a document with a seq2seq model (the Attention panel's job): every non-blank
// line's source searched as `rnn-lab translate` searches it (translateOne: greedy or beam, the same
// engine code on both backends), with its beam's candidates, the attention matrix and which source
// tokens the model read as <unk>. A pause between lines lets a cancel in. Node-level.
import type { SourceTranslation, TextRegion, TranslateSettings, TranslationResult } from '../../protocol/inference';
import { sourceLines, translateOne, translateOptions } from '../seq2seq/translate';
import type { Pause } from './labelRegions';
import type { OpenSeq2Seq } from './modelCache';

/** Every non-blank line of the regions, in document offsets and lines; null when cancelled. */
export async function translateRegions(model: OpenSeq2Seq, regions: readonly TextRegion[], settings: TranslateSettings,
  pause: Pause): Promise<TranslationResult | null> {
  const opts = translateOptions(model.loaded, settings);
  const lines: SourceTranslation[] = [];
  for (const region of regions) {
    for (const s of sourceLines(region.text)) {
      lines.push(translateOne(model.loaded, s.source, opts, region.line + s.line, region.offset + s.start));
      if (!(await pause())) return null;
    }
  }
  return { info: model.info, attention: model.loaded.spec.attention, ...opts, lines };
}
