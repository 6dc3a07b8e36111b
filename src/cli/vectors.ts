// rnn-lab neighbors | analogy | export-vectors | debias: queries on word vectors (any model with an
// embedding, or a GloVe / word2vec text file), as gensim's most_similar answers them.
import * as path from 'node:path';
import { debias } from '../engine/vectors/debias';
import type { Neighbor } from '../engine/vectors/space';
import { inputError } from '../pipeline/errors';
import { exportRows, findWord, loadWordVectors, spaceOf, type VectorsSide, type WordVectors } from '../pipeline/wordVectors';
import { writeVectorsFile } from '../pipeline/vectorsFile';
import { numberOption, parseArgs, UsageError, type Parsed } from './args';
import { jsonLine, type CliIO } from './output';

export const NEIGHBORS_USAGE = 'rnn-lab neighbors MODEL WORD [--k 10] [--side source|target] [--json]';
export const ANALOGY_USAGE = 'rnn-lab analogy MODEL A B C [--k 5] [--side source|target] [--json]   ("A is to B as C is to ?")';
export const EXPORT_VECTORS_USAGE = 'rnn-lab export-vectors MODEL OUT.txt [--side source|target]';
export const DEBIAS_USAGE = 'rnn-lab debias VECTORS OUT.txt --pairs A:B[,A:B...] [--equalize A:B[,...]] [--keep WORD[,...]] [--json]';

function sideOption(args: Parsed): VectorsSide {
  const side = args.options.get('side') ?? 'source';
  if (side !== 'source' && side !== 'target') throw new UsageError(`--side ${JSON.stringify(side)}: expected source or target (the two vocabularies of a seq2seq model)`);
  return side;
}

const cosineText = (n: Neighbor) => `${n.word}\t${n.cosine.toFixed(4)}\n`;
const rounded = (list: readonly Neighbor[]) => list.map((n) => ({ word: n.word, cosine: Math.round(n.cosine * 1e6) / 1e6 }));

export function neighborsCommand(argv: readonly string[], io: CliIO): number {
  const args = parseArgs(argv, ['k', 'side'], ['json'], NEIGHBORS_USAGE);
  if (args.positional.length !== 2) throw new UsageError(`expected MODEL and WORD; usage: ${NEIGHBORS_USAGE}`);
  const k = numberOption(args, 'k', { min: 1, integer: true }) ?? 10;
  const wv = loadWordVectors(args.positional[0], sideOption(args));
  const space = spaceOf(wv);
  const id = findWord(wv, space, args.positional[1]);
  const neighbors = space.neighbors(id, k);
  if (args.flags.has('json')) io.out(jsonLine({ word: space.words[id], neighbors: rounded(neighbors) }));
  else for (const n of neighbors) io.out(cosineText(n));
  return 0;
}

export function analogyCommand(argv: readonly string[], io: CliIO): number {
  const args = parseArgs(argv, ['k', 'side'], ['json'], ANALOGY_USAGE);
  if (args.positional.length !== 4) throw new UsageError(`expected MODEL and three words A B C; usage: ${ANALOGY_USAGE}`);
  const k = numberOption(args, 'k', { min: 1, integer: true }) ?? 5;
  const wv = loadWordVectors(args.positional[0], sideOption(args));
  const space = spaceOf(wv);
  const [a, b, c] = args.positional.slice(1).map((w) => findWord(wv, space, w));
  const answers = space.analogy(a, b, c, k);
  if (args.flags.has('json')) io.out(jsonLine({ query: [a, b, c].map((id) => space.words[id]), answers: rounded(answers) }));
  else for (const n of answers) io.out(cosineText(n));
  return 0;
}

export function exportVectorsCommand(argv: readonly string[], io: CliIO): number {
  const args = parseArgs(argv, ['side'], [], EXPORT_VECTORS_USAGE);
  if (args.positional.length !== 2) throw new UsageError(`expected MODEL and OUT.txt; usage: ${EXPORT_VECTORS_USAGE}`);
  const [source, out] = args.positional;
  const wv = loadWordVectors(source, sideOption(args));
  const { written, skipped } = writeVectorsFile(path.resolve(out), wv.words, wv.vectors, wv.E, exportRows(wv));
  io.err(`${written.toLocaleString('en-US')} vectors of width ${wv.E} → ${out}${skipped ? ` (${skipped} token${skipped === 1 ? '' : 's'} with white space left out: GloVe's format cannot hold them)` : ''}\n`);
  return 0;
}

/** "woman:man,she:he" → pairs of rows (each word must be in the vocabulary). */
function pairsOption(args: Parsed, name: string, wv: WordVectors, space: ReturnType<typeof spaceOf>): [number, number][] {
  const raw = args.options.get(name);
  if (raw === undefined) return [];
  return raw.split(',').map((s) => s.trim()).filter((s) => s !== '').map((pair) => {
    const parts = pair.split(':');
    if (parts.length !== 2 || !parts[0] || !parts[1]) throw new UsageError(`--${name} ${JSON.stringify(pair)}: expected two words joined by ":" (e.g. woman:man)`);
    return [findWord(wv, space, parts[0]), findWord(wv, space, parts[1])];
  });
}

export function debiasCommand(argv: readonly string[], io: CliIO): number {
  const args = parseArgs(argv, ['pairs', 'equalize', 'keep', 'side'], ['json'], DEBIAS_USAGE);
  if (args.positional.length !== 2) throw new UsageError(`expected VECTORS and OUT.txt; usage: ${DEBIAS_USAGE}`);
  if (!args.options.has('pairs')) throw new UsageError(`--pairs is required: the word pairs that define the direction to remove (e.g. woman:man,she:he); usage: ${DEBIAS_USAGE}`);
  const [source, out] = args.positional;
  const wv = loadWordVectors(source, sideOption(args));
  const space = spaceOf(wv);
  const definitional = pairsOption(args, 'pairs', wv, space);
  if (definitional.length === 0) throw inputError('--pairs', 'is empty; expected word pairs such as woman:man,she:he');
  const equalize = args.options.has('equalize') ? pairsOption(args, 'equalize', wv, space) : definitional;
  const keep = (args.options.get('keep') ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '').map((w) => findWord(wv, space, w));
  const specific = new Set<number>([...definitional.flat(), ...equalize.flat(), ...keep]);
  const rows = exportRows(wv);
  // Debias only the rows that are words (a model's special tokens are left out), then write them.
  const index = new Map(rows.map((r, i) => [r, i]));
  const sub = new Float32Array(rows.length * wv.E);
  rows.forEach((r, i) => sub.set(wv.vectors.subarray(r * wv.E, (r + 1) * wv.E), i * wv.E));
  const mapPair = ([a, b]: [number, number]) => [index.get(a)!, index.get(b)!] as const;
  const result = debias(sub, rows.length, wv.E, {
    definitional: definitional.map(mapPair), equalize: equalize.map(mapPair), specific: new Set([...specific].map((r) => index.get(r)!)),
  });
  const words = rows.map((r) => wv.words[r]);
  const { written, skipped } = writeVectorsFile(path.resolve(out), words, result.vectors, wv.E);
  const summary = { out, words: written, neutralized: result.neutralized, equalized: result.equalized, skipped, direction: Array.from(result.direction, (x) => Math.round(x * 1e6) / 1e6) };
  if (args.flags.has('json')) io.out(jsonLine(summary));
  io.err(`${written.toLocaleString('en-US')} unit vectors → ${out}: ${result.neutralized.toLocaleString('en-US')} neutralised along the direction of ${definitional.length} pair${definitional.length === 1 ? '' : 's'}, ${result.equalized} pair${result.equalized === 1 ? '' : 's'} equalised\n`);
  return 0;
}
