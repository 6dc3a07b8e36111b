// What a saved model carries besides its weights: task, tokenizer and vocabulary, labels, the
// config it was trained with. One definition for the checkpoint and for ONNX metadata_props.
//
// ONNX keys (values are JSON strings): rnnlab.version, rnnlab.task, rnnlab.tokenizer
// ({"kind","lowercase"}), rnnlab.vocab (array, id order), rnnlab.labels (array, class order;
// [] for lm), rnnlab.config (the .rnnconfig the model was trained with, resolved), rnnlab.step (the
// training step of these weights; absent in imported models); seq2seq adds rnnlab.targetVocab (the
// target side's vocabulary; rnnlab.vocab is the source's).
import type { Task } from './formats';
import { TASKS } from './formats';
import { Tokenizer, type TokenizerKind, type TokenizerSpec } from './tokenizer';
import { shortValue } from './errors';

export const MODEL_META_VERSION = 1;

export interface ModelMeta {
  readonly task: Task;
  readonly tokenizer: TokenizerSpec;
  readonly labels: readonly string[];     // tag / classify: class id → label; lm: []
  readonly config: unknown;               // the resolved RnnConfig, informative (sampling defaults)
  readonly targetTokenizer?: TokenizerSpec; // seq2seq: the target side (tokenizer is the source side)
}

export const META_KEYS = {
  version: 'rnnlab.version',
  task: 'rnnlab.task',
  tokenizer: 'rnnlab.tokenizer',
  vocab: 'rnnlab.vocab',
  labels: 'rnnlab.labels',
  config: 'rnnlab.config',
  step: 'rnnlab.step',
  targetVocab: 'rnnlab.targetVocab',
} as const;

export function toOnnxMetadata(meta: ModelMeta, step?: number): Record<string, string> {
  return {
    ...(step !== undefined ? { [META_KEYS.step]: JSON.stringify(step) } : {}),
    [META_KEYS.version]: JSON.stringify(MODEL_META_VERSION),
    [META_KEYS.task]: JSON.stringify(meta.task),
    [META_KEYS.tokenizer]: JSON.stringify({ kind: meta.tokenizer.kind, lowercase: meta.tokenizer.lowercase }),
    [META_KEYS.vocab]: JSON.stringify(meta.tokenizer.vocab),
    [META_KEYS.labels]: JSON.stringify(meta.labels),
    [META_KEYS.config]: JSON.stringify(meta.config ?? null),
    ...(meta.targetTokenizer ? { [META_KEYS.targetVocab]: JSON.stringify(meta.targetTokenizer.vocab) } : {}),
  };
}

/** Reads metadata back; `where` names the model file in errors. Throws on a missing or bad key. */
export function fromOnnxMetadata(props: Readonly<Record<string, string>>, where: string): ModelMeta {
  const read = (key: string): unknown => {
    if (!(key in props)) throw new Error(`${where}: metadata_props has no "${key}"; expected a model written by RNN Lab (keys ${Object.values(META_KEYS).filter((k) => k !== META_KEYS.step && k !== META_KEYS.targetVocab).join(', ')})`);
    try {
      return JSON.parse(props[key]);
    } catch {
      throw new Error(`${where}: metadata_props "${key}" is not JSON`);
    }
  };
  return checkMeta({
    task: read(META_KEYS.task),
    tokenizer: { ...(read(META_KEYS.tokenizer) as object), vocab: read(META_KEYS.vocab) },
    labels: read(META_KEYS.labels),
    config: props[META_KEYS.config] ? read(META_KEYS.config) : null,
    ...(props[META_KEYS.targetVocab] ? { targetTokenizer: { ...(read(META_KEYS.tokenizer) as object), vocab: read(META_KEYS.targetVocab) } } : {}),
  }, where);
}

/** Validates metadata of unknown origin (checkpoint or ONNX). */
export function checkMeta(raw: any, where: string): ModelMeta {
  const fail = (what: string) => { throw new Error(`${where}: model metadata ${what}`); };
  const got = (v: unknown) => (v === undefined ? 'none' : shortValue(v));   // never "undefined", never 10 MB
  if (!TASKS.includes(raw?.task)) fail(`task must be one of ${TASKS.join(', ')}; got ${got(raw?.task)}`);
  const t = raw.tokenizer;
  if (!t || !(['char', 'word'] as TokenizerKind[]).includes(t.kind)) fail(`tokenizer kind must be char or word; got ${got(t?.kind)}`);
  if (!Array.isArray(t.vocab) || t.vocab.some((v: unknown) => typeof v !== 'string')) fail('vocab must be an array of strings');
  if (!Array.isArray(raw.labels) || raw.labels.some((v: unknown) => typeof v !== 'string')) fail('labels must be an array of strings');
  const target = raw.targetTokenizer;
  if (raw.task === 'seq2seq' && !target) fail('of a seq2seq model needs the target vocabulary (targetTokenizer / rnnlab.targetVocab)');
  if (target && (!Array.isArray(target.vocab) || target.vocab.some((v: unknown) => typeof v !== 'string'))) fail('target vocab must be an array of strings');
  return {
    task: raw.task, tokenizer: { kind: t.kind, lowercase: !!t.lowercase, vocab: t.vocab }, labels: raw.labels, config: raw.config ?? null,
    ...(target ? { targetTokenizer: { kind: t.kind, lowercase: !!t.lowercase, vocab: target.vocab } } : {}),
  };
}

/** The training step a model file's weights are from (rnnlab.step), when it says. */
export function stepOfMetadata(props: Readonly<Record<string, string>>): number | undefined {
  const step = Number(props[META_KEYS.step]);
  return props[META_KEYS.step] !== undefined && Number.isInteger(step) && step >= 0 ? step : undefined;
}

export const tokenizerOf = (meta: ModelMeta): Tokenizer => new Tokenizer(meta.tokenizer);
