// Settings a run's data and task leave without effect (the schema refuses the combinations it can see
// in the config alone; these depend on the data): said once when the run starts, never silently ignored.
import type { RnnConfig } from '../config';
import type { Dataset } from '../dataset';
import { rnnconfigSchemaJson } from '../schema';

type Section = 'training' | 'sampling';
const schemaDefault = (section: Section, key: string): unknown =>
  (rnnconfigSchemaJson as { properties: Record<Section, { properties: Record<string, { default?: unknown }> }> }).properties[section].properties[key]?.default;

/** One sentence per setting that has no effect on this run. */
export function settingsWithoutEffect(config: RnnConfig, dataset: Dataset): string[] {
  const out: string[] = [];
  const t = config.training;
  const hasValidation = dataset.task === 'lm' ? dataset.validation !== null && dataset.validation.length > 0 : dataset.validation.length > 0;
  const why = typeof config.data.validation === 'number'
    ? `data.validation holds out ${config.data.validation} of ${dataset.task === 'lm' ? 'the text' : 'the examples'}, which leaves no validation data`
    : 'the validation file has no data';
  if (!hasValidation) {
    if (t.earlyStoppingPatience > 0) out.push(`training.earlyStoppingPatience (${t.earlyStoppingPatience}) has no effect: ${why}, so the run never stops early`);
    if (t.evalEvery !== schemaDefault('training', 'evalEvery')) out.push(`training.evalEvery (${t.evalEvery}) has no effect: ${why}`);
  }
  if (config.data.lowercase && config.data.tokenizer === 'char' && dataset.task !== 'tag') {
    out.push('data.lowercase has no effect with the char tokenizer: it always keeps case');
  }
  if (dataset.task !== 'lm') {
    if (t.sampleEvery !== schemaDefault('training', 'sampleEvery')) out.push(`training.sampleEvery (${t.sampleEvery}) has no effect: only a language model (task lm) samples text`);
    // Only the sampling of a language model; beam, lengthPenalty and maxLength are a seq2seq model's
    // search (the schema, or runSetup under "auto", refuses them on any other task).
    const lmOnly = ['temperature', 'topK', 'topP', 'length', 'prime'] as const;
    const changed = lmOnly.filter((k) => JSON.stringify(config.sampling[k]) !== JSON.stringify(schemaDefault('sampling', k)));
    if (changed.length > 0) out.push(`sampling.${changed.join(', sampling.')} ${changed.length > 1 ? 'have' : 'has'} no effect: only a language model (task lm) samples text`);
  }
  return out;
}
