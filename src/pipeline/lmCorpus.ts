// A language-model corpus: a text file read once into token ids (IdBuffer), with the vocabulary
// learnt from it, or encoded with a given vocabulary (validation file, inference).
import * as fs from 'node:fs';
import { IdBuffer, type IdArray } from './idBuffer';
import { streamTextFile } from './textFile';
import { EOS, LINE_BREAK, SPECIAL_TOKENS, Tokenizer, forEachPiece, vocabFromCounts, type TokenizerKind } from './tokenizer';

export interface LmCorpus {
  readonly tokenizer: Tokenizer;
  readonly ids: IdArray;             // (N) token ids, file order
}

export interface VocabOptions {
  readonly kind: TokenizerKind;
  readonly lowercase: boolean;
  readonly minCount: number;         // word level: rarer words become <unk>
  readonly maxVocab: number;         // word level: keep the most frequent; 0 = all
}

/** Reads `file`, learns the vocabulary and encodes it in one pass (ids remapped at the end). */
export function readLmCorpus(file: string, opts: VocabOptions): LmCorpus {
  const bytes = fs.statSync(file).size;
  const ids = new IdBuffer(opts.kind === 'char' ? bytes : bytes >> 2);
  const firstSeen = new Map<string, number>();   // token → provisional id (order of first appearance)
  const counts: number[] = [];
  const provisional = (piece: string): number => {
    let id = firstSeen.get(piece);
    if (id === undefined) {
      id = firstSeen.size;
      firstSeen.set(piece, id);
      counts.push(0);
    }
    counts[id]++;
    return id;
  };
  if (opts.kind === 'char') {
    // The hot path of a 100 MB file: code points straight from char codes, a table instead of a Map.
    // Line breaks follow forEachPiece: \r\n and \r are one "\n".
    const byCodePoint = new Int32Array(0x110000).fill(-1);
    streamTextFile(file, (text) => {
      for (let i = 0; i < text.length; i++) {
        let cp = text.charCodeAt(i);
        if (cp === 13) {
          if (text.charCodeAt(i + 1) === 10) i++;
          cp = 10;
        } else if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < text.length) {
          cp = text.codePointAt(i)!;
          i++;
        }
        let id = byCodePoint[cp];
        if (id < 0) id = byCodePoint[cp] = provisional(String.fromCodePoint(cp));
        else counts[id]++;
        ids.push(id);
      }
    });
  } else {
    streamTextFile(file, (text) => forEachPiece('word', text, opts.lowercase, (piece) => {
      ids.push(provisional(piece === LINE_BREAK ? SPECIAL_TOKENS[EOS] : piece));
    }));
  }
  const countMap = new Map<string, number>();
  for (const [piece, id] of firstSeen) countMap.set(piece, counts[id]);
  const vocab = vocabFromCounts(countMap, opts.kind === 'char' ? 1 : opts.minCount, opts.kind === 'char' ? 0 : opts.maxVocab);
  const tokenizer = new Tokenizer({ kind: opts.kind, lowercase: opts.kind === 'word' && opts.lowercase, vocab });
  const table = new Int32Array(firstSeen.size);
  for (const [piece, id] of firstSeen) table[id] = piece === SPECIAL_TOKENS[EOS] ? EOS : tokenizer.idOf(piece);
  ids.remap(table);
  return { tokenizer, ids: ids.finish() };
}

/** Encodes `file` with a known tokenizer (unknown tokens → <unk>). */
export function encodeLmFile(file: string, tokenizer: Tokenizer): IdArray {
  const ids = new IdBuffer(tokenizer.kind === 'char' ? fs.statSync(file).size : fs.statSync(file).size >> 2);
  streamTextFile(file, (text) => forEachPiece(tokenizer.kind, text, tokenizer.spec.lowercase, (piece) => ids.push(tokenizer.idOf(piece))));
  return ids.finish();
}
