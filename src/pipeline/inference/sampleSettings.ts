// The sampling settings' defaults and ranges, read from the shipped schema (sampling.*, and
// training.seed for the seed): the Samples panel, its webview (through the panel's init message) and
// rnn-lab sample take them from here, so none keeps its own copy of the schema's numbers.
import type { NumberRange, SampleLimits, SampleNumberKey, SampleSettings } from '../../protocol/inference';
import { rnnconfigSchemaJson } from '../schema';

interface FieldSchema {
  readonly type: string;
  readonly default?: unknown;
  readonly minimum?: number;
  readonly exclusiveMinimum?: number;
  readonly maximum?: number;
}
type Properties = Readonly<Record<string, FieldSchema>>;
const schema = rnnconfigSchemaJson as { properties: { sampling: { properties: Properties }; training: { properties: Properties } } };

/** The schema field behind a setting: sampling.<key>, or training.seed. */
const fieldOf = (key: keyof SampleSettings): FieldSchema =>
  key === 'seed' ? schema.properties.training.properties.seed : schema.properties.sampling.properties[key];

const NUMBER_KEYS: readonly SampleNumberKey[] = ['length', 'temperature', 'topK', 'topP', 'seed'];

/** The schema's defaults: prime "", length 200, temperature 1, topK 0, topP 1, seed 1 (training.seed). */
export function defaultSampleSettings(): SampleSettings {
  const value = <T>(key: keyof SampleSettings) => fieldOf(key).default as T;
  return {
    prime: value<string>('prime'), length: value<number>('length'), temperature: value<number>('temperature'),
    topK: value<number>('topK'), topP: value<number>('topP'), seed: value<number>('seed'),
  };
}

/** Each number setting's range as the schema gives it (topP: > 0 and ≤ 1; temperature 0..10; …). */
export function sampleLimits(): SampleLimits {
  const range = (key: SampleNumberKey): NumberRange => {
    const f = fieldOf(key);
    return {
      min: f.exclusiveMinimum ?? f.minimum ?? 0, minExclusive: f.exclusiveMinimum !== undefined,
      max: f.maximum ?? Number.MAX_SAFE_INTEGER, integer: f.type === 'integer',
    };
  };
  return Object.fromEntries(NUMBER_KEYS.map((k) => [k, range(k)])) as unknown as SampleLimits;
}
