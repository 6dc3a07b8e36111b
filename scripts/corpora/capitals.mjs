// A generated corpus with known word clusters and a two-factor analogy structure, for word2vec:
// each sentence is about one country and one kind of thing, and says the word for that pair
// (paris = france × capital, tiber = italy × river) among words of the country's cluster
// (baguette, bonjour, ...), words of the kind's cluster (parliament, embassy, ...) and filler.
// So vectors that learn the co-occurrences answer paris : rome :: seine : ? with tiber, and put
// each cluster's words together. Seeded (mulberry32), the same text everywhere.
// Usage: node scripts/corpora/capitals.mjs [--sentences N] [--seed S] > capitals.txt
// (scripts/make-samples.mjs writes samples/capitals.txt; the word2vec reference script and the
// unit test run this file to get the larger corpus they compare on.)

export const COUNTRIES = ['france', 'italy', 'spain', 'germany'];
export const KINDS = ['capital', 'river', 'cheese', 'city'];
/** TARGETS[country][kind]. */
export const TARGETS = [
  ['paris', 'seine', 'camembert', 'lyon'],
  ['rome', 'tiber', 'mozzarella', 'milan'],
  ['madrid', 'ebro', 'manchego', 'barcelona'],
  ['berlin', 'rhine', 'limburger', 'munich'],
];
export const COUNTRY_WORDS = [
  ['baguette', 'beret', 'bonjour', 'louvre', 'croissant', 'merci'],
  ['pasta', 'ciao', 'gondola', 'espresso', 'pizza', 'grazie'],
  ['paella', 'hola', 'flamenco', 'tapas', 'siesta', 'gracias'],
  ['bratwurst', 'hallo', 'pretzel', 'autobahn', 'danke', 'lederhosen'],
];
export const KIND_WORDS = [
  ['government', 'parliament', 'president', 'ministry', 'embassy', 'senate'],
  ['water', 'boat', 'bridge', 'flow', 'bank', 'fish'],
  ['milk', 'cow', 'aged', 'slice', 'creamy', 'dairy'],
  ['streets', 'traffic', 'metro', 'stadium', 'downtown', 'district'],
];
export const FILLER = ['the', 'a', 'of', 'and', 'in', 'to', 'is', 'with', 'on', 'at'];

/** mulberry32, as scripts/make-samples.mjs. */
function seededRandom(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `sentences` lines of 9 words: the pair's word, 3 country words, 3 kind words, 2 fillers, shuffled. */
export function capitalsCorpus(sentences, seed = 14) {
  const random = seededRandom(seed);
  const int = (n) => Math.floor(random() * n);
  const lines = [];
  for (let s = 0; s < sentences; s++) {
    const c = int(COUNTRIES.length), k = int(KINDS.length);
    const words = [TARGETS[c][k]];
    for (let i = 0; i < 3; i++) words.push(COUNTRY_WORDS[c][int(6)]);
    for (let i = 0; i < 3; i++) words.push(KIND_WORDS[k][int(6)]);
    for (let i = 0; i < 2; i++) words.push(FILLER[int(FILLER.length)]);
    for (let i = words.length - 1; i > 0; i--) {
      const j = int(i + 1);
      [words[i], words[j]] = [words[j], words[i]];
    }
    lines.push(words.join(' '));
  }
  return lines.join('\n') + '\n';
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name, fallback) => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? Number(process.argv[i + 1]) : fallback;
  };
  process.stdout.write(capitalsCorpus(arg('sentences', 4000), arg('seed', 14)));
}
