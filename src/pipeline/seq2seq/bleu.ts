// Corpus BLEU-4 (Papineni et al. 2002) over token sequences, one reference each, in 0..1: the
// geometric mean of the clipped 1..4-gram precisions summed over the whole corpus, times the
// brevity penalty exp(1 - r/c) when the outputs are shorter (c) than the references (r). No
// smoothing: a corpus without a single matching 4-gram scores 0, as sacrebleu's "none" and NLTK's
// corpus_bleu do. Tokens are the target tokenizer's (characters for char models, words for word).

export const BLEU_ORDER = 4;

export function corpusBleu(candidates: readonly (readonly string[])[], references: readonly (readonly string[])[]): number {
  if (candidates.length !== references.length) throw new Error(`corpusBleu: ${candidates.length} candidates for ${references.length} references`);
  const matches = new Array<number>(BLEU_ORDER).fill(0), totals = new Array<number>(BLEU_ORDER).fill(0);
  let c = 0, r = 0;
  candidates.forEach((cand, i) => {
    const ref = references[i];
    c += cand.length;
    r += ref.length;
    for (let n = 1; n <= BLEU_ORDER; n++) {
      const refCounts = ngramCounts(ref, n);
      for (const [gram, count] of ngramCounts(cand, n)) matches[n - 1] += Math.min(count, refCounts.get(gram) ?? 0);
      totals[n - 1] += Math.max(0, cand.length - n + 1);
    }
  });
  if (c === 0 || matches.some((m) => m === 0)) return 0;
  const logPrecision = matches.reduce((sum, m, k) => sum + Math.log(m / totals[k]), 0) / BLEU_ORDER;
  const brevity = c >= r ? 1 : Math.exp(1 - r / c);
  return brevity * Math.exp(logPrecision);
}

function ngramCounts(tokens: readonly string[], n: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i + n <= tokens.length; i++) {
    const gram = tokens.slice(i, i + n).join('\u0000');
    counts.set(gram, (counts.get(gram) ?? 0) + 1);
  }
  return counts;
}
