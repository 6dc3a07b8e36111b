// Issue 13's "Done when" on a date model, measured through the CLI only (node dist/cli.js):
// greedy and beam exact match and corpus BLEU-4 on a held-out file, `--backend ort` against the
// engine, every attention row's sum, and the year alignment: for each line, whether each of the
// output's four year digits has its attention peak on the source's year characters (the four digits
// of "1979", or the two of "79", which the century is read from too).
// Usage: node scripts/seq2seq-dates-check.mjs RUN_DIR [HELDOUT.tsv] [--beam K] [--json]
//   HELDOUT defaults to samples/dates-heldout.tsv (scripts/make-samples.mjs: dates never in dates.tsv).
// Exit 0 when every "Done when" threshold holds (greedy ≥ 0.95, beam ≥ greedy, ort = engine, rows sum
// to 1 within 1e-5, year aligned on ≥ 95% of the lines), 1 otherwise; the numbers go to stdout.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const repo = new URL('..', import.meta.url).pathname;
const cli = join(repo, 'dist', 'cli.js');

const argv = process.argv.slice(2);
const flag = (name) => { const i = argv.indexOf(name); return i < 0 ? undefined : argv.splice(i, 2)[1]; };
const beamWidth = Number(flag('--beam') ?? 4);
const json = argv.includes('--json');
const [runDir, heldOut = join(repo, 'samples', 'dates-heldout.tsv')] = argv.filter((a) => a !== '--json');
if (!runDir) {
  console.error('usage: node scripts/seq2seq-dates-check.mjs RUN_DIR [HELDOUT.tsv] [--beam K] [--json]');
  process.exit(2);
}

const pairs = readFileSync(heldOut, 'utf8').split('\n').filter((l) => l.trim() !== '')
  .map((l) => { const [source, target] = l.split('\t'); return { source: source.trim(), target: target.trim() }; });

/** rnn-lab translate --json over the held-out file: one object per line, in order. */
function translate(beam, backend) {
  const out = execFileSync(process.execPath, [cli, 'translate', runDir, heldOut, '--json', '--beam', String(beam), '--backend', backend],
    { encoding: 'utf8', maxBuffer: 1 << 30 });
  const items = out.split('\n').filter(Boolean).map((l) => JSON.parse(l));
  if (items.length !== pairs.length) throw new Error(`${items.length} translations for ${pairs.length} lines`);
  return items;
}

/** Corpus BLEU-4 over characters (the date model's target tokens), as src/pipeline/seq2seq/bleu.ts. */
function corpusBleu(candidates, references) {
  const matches = [0, 0, 0, 0], totals = [0, 0, 0, 0];
  let c = 0, r = 0;
  candidates.forEach((cand, i) => {
    const ref = references[i];
    c += cand.length; r += ref.length;
    for (let n = 1; n <= 4; n++) {
      const refCounts = new Map();
      for (let k = 0; k + n <= ref.length; k++) { const g = ref.slice(k, k + n).join('\0'); refCounts.set(g, (refCounts.get(g) ?? 0) + 1); }
      for (let k = 0; k + n <= cand.length; k++) {
        const g = cand.slice(k, k + n).join('\0'), left = refCounts.get(g) ?? 0;
        if (left > 0) { matches[n - 1]++; refCounts.set(g, left - 1); }
      }
      totals[n - 1] += Math.max(0, cand.length - n + 1);
    }
  });
  if (c === 0 || matches.some((m) => m === 0)) return 0;
  return (c >= r ? 1 : Math.exp(1 - r / c)) * Math.exp(matches.reduce((s, m, k) => s + Math.log(m / totals[k]), 0) / 4);
}

/** The source columns holding the year of `target` (YYYY-MM-DD): its 4 digits, else its last 2 standing alone. */
function yearColumns(sourceTokens, target) {
  const source = sourceTokens.join('');
  const year = target.slice(0, 4);
  let start = source.indexOf(year), length = 4;
  if (start < 0) {
    length = 2;
    for (const m of source.matchAll(new RegExp(`(?<!\\d)${year.slice(2)}(?!\\d)`, 'g'))) start = m.index;
  }
  // Character offsets to token columns (one character a token for a char model, but count honestly).
  const columns = new Set();
  let at = 0;
  sourceTokens.forEach((t, j) => { if (start >= 0 && at < start + length && at + t.length > start) columns.add(j); at += t.length; });
  return columns;
}

const argmax = (row) => row.reduce((best, w, j) => (w > row[best] ? j : best), 0);

function score(items) {
  const exact = items.filter((t, i) => t.output === pairs[i].target).length;
  const bleu = corpusBleu(items.map((t) => [...t.output]), pairs.map((p) => [...p.target]));
  let worstRow = 0, alignedLines = 0, alignedDigits = 0, written = 0, writtenAligned = 0;
  items.forEach((t, i) => {
    for (const row of t.attention) worstRow = Math.max(worstRow, Math.abs(row.reduce((a, w) => a + w, 0) - 1));
    const columns = yearColumns(t.attention.length ? sourceTokensOf(t) : [], pairs[i].target);
    let here = 0;
    for (let k = 0; k < 4 && k < t.attention.length; k++) {
      const on = columns.has(argmax(t.attention[k]));
      if (on) here++;
      // The digits the source writes: all four of "1979", the last two of "79" (the century is inferred).
      if (columns.size === 4 || k >= 2) { written++; if (on) writtenAligned++; }
    }
    alignedDigits += here;
    if (here === 4) alignedLines++;
  });
  return {
    exactMatch: exact / items.length, exact, bleu, worstRowSumError: worstRow,
    yearAlignedLines: alignedLines / items.length, yearAlignedDigits: alignedDigits / (4 * items.length),
    writtenYearDigitsAligned: writtenAligned / written,
  };
}

/** translate --json's source is the trimmed text; a char model's columns are its characters. */
function sourceTokensOf(t) {
  const chars = [...t.source];
  if (t.attention[0].length !== chars.length) throw new Error(`line ${t.line}: ${t.attention[0].length} attention columns for ${chars.length} source characters (not a char model?)`);
  return chars;
}

const run = JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8'));
const greedy = translate(1, 'engine'), beam = translate(beamWidth, 'engine');
const greedyOrt = translate(1, 'ort'), beamOrt = translate(beamWidth, 'ort');
const differ = (a, b) => a.filter((t, i) => t.output !== b[i].output).length;
const result = {
  runDir, heldOut, lines: pairs.length, steps: run.step, trainingSeconds: (run.updatedAt - run.startedAt) / 1000,
  greedy: score(greedy), [`beam${beamWidth}`]: score(beam),
  ortDiffers: { greedy: differ(greedy, greedyOrt), beam: differ(beam, beamOrt) },
  ortMaxLogProbDiff: Math.max(...greedy.map((t, i) => Math.abs(t.logProb - greedyOrt[i].logProb)), ...beam.map((t, i) => Math.abs(t.logProb - beamOrt[i].logProb))),
};
const b = result[`beam${beamWidth}`];
const checks = {
  'greedy exact match ≥ 0.95': result.greedy.exactMatch >= 0.95,
  [`beam ${beamWidth} exact match ≥ greedy`]: b.exactMatch >= result.greedy.exactMatch,
  'ort gives the same outputs': result.ortDiffers.greedy === 0 && result.ortDiffers.beam === 0,
  'every attention row sums to 1 (±1e-5)': Math.max(result.greedy.worstRowSumError, b.worstRowSumError) <= 1e-5,
  'year digits peak on the source year on ≥ 95% of lines (greedy)': result.greedy.yearAlignedLines >= 0.95,
};
if (json) {
  console.log(JSON.stringify({ ...result, checks }));
} else {
  const pct = (x) => `${(100 * x).toFixed(2)}%`;
  console.log(`${runDir}: ${result.steps} steps, ${result.trainingSeconds.toFixed(0)} s from start to last write; ${pairs.length} held-out lines (${heldOut})`);
  for (const [name, s] of [['greedy', result.greedy], [`beam ${beamWidth}`, b]]) {
    console.log(`  ${name}: exact ${pct(s.exactMatch)} (${s.exact}), BLEU-4 ${pct(s.bleu)}, worst |row sum - 1| ${s.worstRowSumError.toExponential(1)}, year aligned: lines ${pct(s.yearAlignedLines)}, digits ${pct(s.yearAlignedDigits)}, digits the source writes ${pct(s.writtenYearDigitsAligned)}`);
  }
  console.log(`  --backend ort: outputs differing greedy ${result.ortDiffers.greedy}, beam ${result.ortDiffers.beam}; max |logProb diff| ${result.ortMaxLogProbDiff.toExponential(1)}`);
  for (const [what, ok] of Object.entries(checks)) console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${what}`);
}
process.exit(Object.values(checks).every(Boolean) ? 0 : 1);
