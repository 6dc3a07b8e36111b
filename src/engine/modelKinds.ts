// Every kind of model the engine builds, told apart by one discriminant: the spec's `kind`. A spec
// without `kind` is a recurrent model (every spec written before seq2seq), so old checkpoints load
// unchanged. Checkpoints and anything else that stores "a model" take AnyModelSpec and ask here for
// its layout; a new kind adds its spec to the union and one case to each switch below
// (see /work/team/notes/model-kinds.md).

import { paramLayout, type ModelSpec, type ParamEntry } from './spec';
import { seq2seqLayout, type Seq2SeqSpec } from './seq2seq/spec';
import { word2vecLayout, type Word2VecSpec } from './word2vec/spec';

export type AnyModelSpec = ModelSpec | Seq2SeqSpec | Word2VecSpec;
export type ModelKind = 'recurrent' | 'seq2seq' | 'word2vec';
export const MODEL_KINDS: readonly ModelKind[] = ['recurrent', 'seq2seq', 'word2vec'];

export const modelKind = (spec: AnyModelSpec): ModelKind => spec.kind ?? 'recurrent';

/** Type guards for the union (a spec without kind is recurrent). */
export const isRecurrentSpec = (spec: AnyModelSpec): spec is ModelSpec => modelKind(spec) === 'recurrent';
export const isSeq2SeqSpec = (spec: AnyModelSpec): spec is Seq2SeqSpec => spec.kind === 'seq2seq';
export const isWord2VecSpec = (spec: AnyModelSpec): spec is Word2VecSpec => spec.kind === 'word2vec';

/** The flat parameter layout of any model kind. */
export function layoutOf(spec: AnyModelSpec): ParamEntry[] {
  const kind = modelKind(spec);
  switch (kind) {
    case 'recurrent': return paramLayout(spec as ModelSpec);
    case 'seq2seq': return seq2seqLayout(spec as Seq2SeqSpec);
    case 'word2vec': return word2vecLayout(spec as Word2VecSpec);
    default: {
      const unknown: never = kind;
      throw new Error(`unknown model kind ${JSON.stringify(unknown)}; expected one of ${MODEL_KINDS.join(', ')}`);
    }
  }
}

export function paramCountOf(spec: AnyModelSpec): number {
  const layout = layoutOf(spec);
  const last = layout[layout.length - 1];
  return last ? last.offset + last.size : 0;
}

/** Checks that a spec read from a file names a kind this version knows (message for `where`). */
export function checkModelKind(spec: unknown, where: string): AnyModelSpec {
  if (spec === null || typeof spec !== 'object') throw new Error(`${where}: the model spec is missing`);
  const kind = (spec as { kind?: unknown }).kind ?? 'recurrent';
  if (!MODEL_KINDS.includes(kind as ModelKind)) {
    throw new Error(`${where}: model kind ${JSON.stringify(kind)} is not known to this version (expected ${MODEL_KINDS.join(', ')})`);
  }
  return spec as AnyModelSpec;
}
