// Word vectors to explore, from anything that has them: a run folder of any task (its embedding
// table: lm, tag, classify, seq2seq's source or target side, embed), an .onnx model with one, or a
// GloVe / word2vec text file. The CLI's neighbors / analogy / export-vectors / debias and the
// Embeddings panel all open them here. V = words, E = width.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { layoutOf, type AnyModelSpec } from '../engine/modelKinds';
import { VectorSpace } from '../engine/vectors/space';
import { InputError, inputError } from './errors';
import { readAnyRunCheckpoint, runModelFile } from './loadModel';
import { fromOnnxMetadata, type ModelMeta } from './modelMeta';
import { SPECIAL_TOKENS } from './tokenizer';
import { readVectorsFile } from './vectorsFile';

export type VectorsSide = 'source' | 'target';

export interface WordVectors {
  readonly source: string;            // the path given
  /** What they come from: a vectors file, or the task of the model whose embedding they are. */
  readonly origin: 'vectors file' | ModelMeta['task'] | 'onnx';
  readonly table: string;             // the parameter read ('embedding', 'encoder.embedding', ...); '' for a file
  readonly words: readonly string[];  // (V) row order
  readonly vectors: Float32Array;     // (V, E)
  readonly E: number;
  /** The model's tokenizer lowercases, so queries are lowercased too. */
  readonly lowercase: boolean;
  /** Rows that may be answers and are exported: a model's special tokens (<pad>, <unk>, <eos>) are not. */
  readonly candidates: Uint8Array | null;
}

type OnnxModule = typeof import('../onnx');
const onnx = (): OnnxModule => require('../onnx') as OnnxModule;

/** Opens MODEL (run folder or .onnx) or a vectors text file. side: which table of a seq2seq model (default source). */
export function loadWordVectors(source: string, side: VectorsSide = 'source'): WordVectors {
  if (!fs.existsSync(source)) throw inputError(source, 'no such file or folder; expected a run folder, an .onnx model or a vectors .txt file');
  if (fs.statSync(source).isDirectory()) {
    // The run's model, as inference reads it: model.onnx (the best so far), else the checkpoint (embed, seq2seq).
    const file = runModelFile(source);
    if (file.endsWith('.onnx')) return fromOnnx(file, source, side);
    const { spec, params, meta } = readAnyRunCheckpoint(source);
    return fromModel(source, spec, params, meta, side);
  }
  if (source.toLowerCase().endsWith('.onnx')) return fromOnnx(source, source, side);
  const file = readVectorsFile(source);
  return { source, origin: 'vectors file', table: '', words: file.words, vectors: file.vectors, E: file.E, lowercase: false, candidates: null };
}

function fromOnnx(file: string, source: string, side: VectorsSide): WordVectors {
  const where = path.basename(file);
  let imported;
  try {
    imported = onnx().importModel(new Uint8Array(fs.readFileSync(file)), where);
  } catch (e) {
    throw inputError(where, `${(e as Error).message.replace(`${where}: `, '')}; expected an ONNX model of an RNN, GRU or LSTM`);
  }
  const hasMeta = Object.keys(imported.metadata).some((k) => k.startsWith('rnnlab.'));
  const meta = hasMeta ? fromOnnxMetadata(imported.metadata, where) : null;
  return fromModel(source, imported.spec, imported.params, meta, side);
}

/** The embedding table of a model and the words of its rows. */
export function fromModel(source: string, spec: AnyModelSpec, params: ArrayLike<number>, meta: ModelMeta | null, side: VectorsSide = 'source'): WordVectors {
  const layout = layoutOf(spec);
  const name = spec.kind === 'seq2seq' ? (side === 'target' ? 'decoder.embedding' : 'encoder.embedding') : 'embedding';
  const entry = layout.find((e) => e.name === name);
  if (!entry) {
    throw inputError(source, `has no embedding to explore: its model reads one-hot vectors (model.embedding is 0); train with "embedding": 64 or more, or open a vectors file`);
  }
  const [V, E] = entry.shape;
  const vocab = vocabularyOf(meta, side) ?? Array.from({ length: V }, (_, i) => String(i));
  if (vocab.length !== V) throw inputError(source, `its vocabulary has ${vocab.length} words, its ${name} ${V} rows`);
  const vectors = Float32Array.from({ length: V * E }, (_, i) => params[entry.offset + i]);
  // Rows of the special tokens: <pad> is never trained, <unk> and <eos> are not words to look at.
  const candidates = new Uint8Array(V).fill(1);
  if (meta) vocab.forEach((w, i) => { if (i < SPECIAL_TOKENS.length && SPECIAL_TOKENS[i] === w) candidates[i] = 0; });
  const lowercase = !!meta && tokenizerLowercases(meta, side);
  return { source, origin: meta?.task ?? 'onnx', table: name, words: vocab, vectors, E, lowercase, candidates };
}

/** The vocabulary of the table's side: a seq2seq model's target side has its own (targetTokenizer). */
function vocabularyOf(meta: ModelMeta | null, side: VectorsSide): readonly string[] | null {
  if (!meta) return null;
  return side === 'target' && meta.targetTokenizer ? meta.targetTokenizer.vocab : meta.tokenizer.vocab;
}

function tokenizerLowercases(meta: ModelMeta, side: VectorsSide): boolean {
  return side === 'target' && meta.targetTokenizer ? meta.targetTokenizer.lowercase : meta.tokenizer.lowercase;
}

export const spaceOf = (wv: WordVectors): VectorSpace => new VectorSpace(wv.words, wv.vectors, wv.E, wv.candidates);

/** Row of `word`: as given, else lowercased (a lowercasing model, or a file such as GloVe's); unknown → InputError naming it. */
export function findWord(wv: WordVectors, space: VectorSpace, word: string): number {
  const tries = wv.lowercase ? [word.toLowerCase()] : [word, word.toLowerCase()];
  for (const w of tries) {
    const id = space.idOf(w);
    if (id >= 0 && space.isCandidate(id)) return id;
  }
  const described = wv.origin === 'vectors file' ? path.basename(wv.source) : `the model ${wv.source}`;
  throw new InputError(`${JSON.stringify(word)} is not in the vocabulary of ${described} (${countCandidates(space)} words)`);
}

function countCandidates(space: VectorSpace): string {
  let n = 0;
  for (let i = 0; i < space.V; i++) if (space.isCandidate(i)) n++;
  return n.toLocaleString('en-US');
}

/** Rows to export: the candidates, in row order. */
export const exportRows = (wv: WordVectors): number[] => wv.words.map((_, i) => i).filter((i) => !wv.candidates || wv.candidates[i] === 1);

