// The benchmark's text: 1,000,000 characters of English-like prose, generated deterministically
// (seeded, no download), with all 95 printable ASCII characters plus the line break (V = 96).
// Sentences draw words from a Zipf-weighted list, so a character LM sees realistic statistics.

import { Rng } from '../engine/rng';

const WORDS = (
  'the of and to a in that it is was he for on are as with his they at be this from I have or by one had not ' +
  'but what all were when we there can an your which their said if do will each about how up out them then she ' +
  'many some so these would other into has more her two like him see time could no make than first been its who ' +
  'now people my made over did down only way find use may water long little very after words called just where ' +
  'most know get through back much before go good new write our used me man too any day same right look think ' +
  'also around another came come work three word must because does part even place well such here take why ' +
  'things help put years different away again off went old number great tell men say small every found still ' +
  'between name should home big give air line set own under read last never us left end along while might next ' +
  'sound below saw something thought both few those always looked show large often together asked house world ' +
  'going want school important until form food keep children feet land side without boy once animals life enough ' +
  'took sometimes four head above kind began almost live page got earth need far hand high year mother light ' +
  'parts country father let night following picture being study second eyes soon times story boys since white ' +
  'days ever paper hard near sentence better best across during today others however sure means knew try told ' +
  'young miles sun ways thing whole hear example heard several change answer room sea against top turned learn ' +
  'point city play toward five using himself usually river garden letter winter quiet forest morning window'
).split(' ');
const NAMES = ['Alice', 'Bob', 'Quentin', 'Zora', 'Xavier', 'Yusuf', 'Kate', 'Jonas', 'Victor', 'Ursula', 'Harry',
  'Hermione', 'London', 'Paris', 'Oslo', 'Wales', 'Dublin', 'Ethan', 'Greta', 'Ivan', 'Leo', 'Mina', 'Nora',
  'Felix', 'Rosa', 'Sam', 'Tom', 'Carl', 'Dora', 'Paul'];
const RARE = ['#', '$', '%', '&', '*', '+', '/', '<', '=', '>', '@', '[', '\\', ']', '^', '_', '`', '{', '|', '}', '~'];

export const BENCH_CORPUS_CHARS = 1_000_000;

/** n characters of the corpus for a seed; the same (n, seed) always gives the same text. */
export function generateBenchCorpus(n = BENCH_CORPUS_CHARS, seed = 2024): string {
  const rng = new Rng(seed, 7);
  // Zipf weights over the word list: the k-th word drawn with weight 1/(k+2).
  const cumulative = new Float64Array(WORDS.length);
  let total = 0;
  for (let k = 0; k < WORDS.length; k++) cumulative[k] = total += 1 / (k + 2);
  const word = (): string => {
    const u = rng.uniform() * total;
    let lo = 0, hi = WORDS.length - 1;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (cumulative[mid] < u) lo = mid + 1; else hi = mid; }
    return WORDS[lo];
  };
  const pick = <T>(xs: readonly T[]): T => xs[rng.int(xs.length)];
  const capital = (w: string): string => w[0].toUpperCase() + w.slice(1);

  const sentence = (): string => {
    const parts: string[] = [];
    const length = 4 + rng.int(14);
    for (let i = 0; i < length; i++) {
      const r = rng.uniform();
      let w = r < 0.06 ? pick(NAMES) : r < 0.075 ? String(rng.int(2000)) : r < 0.08 ? `${word()}-${word()}` : word();
      if (r >= 0.08 && r < 0.09) w += "'s";
      if (i > 0 && i < length - 1 && rng.uniform() < 0.07) w += pick([',', ',', ',', ';', ':']);
      if (rng.uniform() < 0.004) w = `(${w})`;
      if (rng.uniform() < 0.002) w = pick(RARE) + w;
      parts.push(w);
    }
    parts[0] = capital(parts[0]);
    const text = parts.join(' ') + pick(['.', '.', '.', '.', '.', '!', '?']);
    return rng.uniform() < 0.1 ? `"${text}" ${pick(['said', 'asked', 'wrote'])} ${pick(NAMES)}.` : text;
  };

  const chunks: string[] = [];
  let length = 0;
  // Every printable ASCII character appears at least once, up front, so V = 96 at any size >= 96.
  let first = '';
  for (let code = 32; code < 127; code++) first += String.fromCharCode(code);
  chunks.push(first + '\n');
  length += first.length + 1;
  while (length < n) {
    const paragraph: string[] = [];
    const sentences = 2 + rng.int(6);
    for (let s = 0; s < sentences; s++) paragraph.push(sentence());
    const text = paragraph.join(' ') + '\n';
    chunks.push(text);
    length += text.length;
  }
  return chunks.join('').slice(0, n);
}
