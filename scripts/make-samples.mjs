// Writes samples/names.tsv (the notes' name-tagging task, token<TAB>label, 1 = part of a person's
// name), samples/topics.tsv (label<TAB>text, three topics), samples/dates.tsv (the course's
// translation exercise: human-readable dates → ISO dates, source<TAB>target) and
// samples/dates-heldout.tsv (dates never in dates.tsv, to measure a model trained on it),
// samples/long-memory.tsv (a long dependency, for the vanish-* presets) and samples/people.txt
// (plain sentences for the name tagger) from small grammars with fixed seeds, so the files are reproducible and free of third-party text.
// Usage: node scripts/make-samples.mjs
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const samples = new URL('../samples', import.meta.url).pathname;

/** mulberry32: a tiny seeded PRNG, so the same seed gives the same files everywhere. */
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
const random = seededRandom(20261126);
const pick = (list) => list[Math.floor(random() * list.length)];

// ---- names.tsv: sentences whose person names are tagged 1, everything else 0 ----
const firstNames = ['Ada', 'Ben', 'Clara', 'Dev', 'Elena', 'Farid', 'Grace', 'Hugo', 'Iris', 'Jonas',
  'Kemi', 'Luca', 'Mira', 'Nils', 'Olga', 'Pavel', 'Ruth', 'Sam', 'Tara', 'Umar', 'Vera', 'Wen', 'Yusuf', 'Zoe'];
const lastNames = ['Abbott', 'Brennan', 'Castillo', 'Dimitrov', 'Eriksen', 'Fontaine', 'Gallagher', 'Haddad',
  'Ishikawa', 'Jovanovic', 'Kowalski', 'Lindqvist', 'Moreau', 'Nakamura', 'Okafor', 'Petrov', 'Quinn',
  'Rossi', 'Sandoval', 'Thorne', 'Varga', 'Whitfield'];
// Capitalised words that are not person names, so capitals alone do not give the answer away.
const places = ['Paris', 'Lisbon', 'Oslo', 'Cairo', 'Lima', 'Kyoto'];
const days = ['Tuesday', 'Friday', 'Sunday', 'March', 'October'];
const verbs = ['invented', 'found', 'painted', 'repaired', 'described', 'sold', 'borrowed', 'built', 'studied'];
const objects = [['a', 'new', 'spell'], ['an', 'old', 'clock'], ['the', 'blue', 'kite'], ['a', 'small', 'boat'],
  ['the', 'river', 'map'], ['a', 'strange', 'engine'], ['the', 'garden', 'gate'], ['a', 'long', 'letter']];

const person = () => (random() < 0.6 ? [pick(firstNames), pick(lastNames)] : [pick(firstNames)]);
const tagged = (words, label) => words.map((w) => [w, label]);

const nameTemplates = [
  () => [...tagged(person(), 1), ...tagged(['and'], 0), ...tagged(person(), 1),
    ...tagged([pick(verbs), ...pick(objects)], 0)],
  () => [...tagged(['In', pick(places), ','], 0), ...tagged(person(), 1), ...tagged([pick(verbs), ...pick(objects)], 0)],
  () => [...tagged(['The', 'letter', 'from'], 0), ...tagged(person(), 1),
    ...tagged(['arrived', 'on', pick(days)], 0)],
  () => [...tagged(pick(objects), 0), ...tagged(['was', pick(verbs), 'by'], 0), ...tagged(person(), 1),
    ...tagged(['in', pick(places)], 0)],
  () => [...tagged(['Yesterday'], 0), ...tagged(person(), 1), ...tagged(['met'], 0), ...tagged(person(), 1),
    ...tagged(['near', 'the', 'station'], 0)],
  () => [...tagged(['Everyone', 'in', pick(places), 'knows', 'that'], 0), ...tagged(person(), 1),
    ...tagged([pick(verbs), ...pick(objects)], 0)],
];

// The notes' own example comes first: Harry Potter and Hermione Granger invented a new spell → 1 1 0 1 1 0 0 0 0.
const nameSentences = [[['Harry', 1], ['Potter', 1], ['and', 0], ['Hermione', 1], ['Granger', 1],
  ['invented', 0], ['a', 0], ['new', 0], ['spell', 0]]];
while (nameSentences.length < 300) {
  const sentence = pick(nameTemplates)();
  sentence[0][0] = sentence[0][0][0].toUpperCase() + sentence[0][0].slice(1);
  nameSentences.push(sentence);
}
writeFileSync(join(samples, 'names.tsv'),
  nameSentences.map((s) => s.map(([w, l]) => `${w}\t${l}\n`).join('')).join('\n'));

// ---- topics.tsv: one line per example, label<TAB>text ----
const topics = {
  weather: {
    subjects: ['the wind', 'the rain', 'a cold front', 'the fog', 'the morning frost', 'a summer storm', 'the snow'],
    predicates: ['came in from the west', 'kept falling all night', 'cleared by noon', 'covered the hills',
      'brought thunder and hail', 'made the roads icy', 'turned the sky grey'],
    tails: ['before the weekend', 'along the coast', 'over the valley', 'for three days', 'after sunset'],
  },
  food: {
    subjects: ['the baker', 'my grandmother', 'the new cafe', 'the soup', 'a plate of pancakes', 'the bread', 'the cook'],
    predicates: ['tasted of ginger and honey', 'was baked fresh at dawn', 'served warm apple pie',
      'needed more salt', 'smelled of cinnamon', 'used ripe tomatoes', 'made a rich plum cake'],
    tails: ['for the whole family', 'with butter and jam', 'every Sunday', 'for the harvest supper', 'at lunch'],
  },
  sport: {
    subjects: ['the home team', 'the goalkeeper', 'our captain', 'the young runner', 'the cyclists', 'the coach', 'the swimmer'],
    predicates: ['won the match in extra time', 'scored twice in the second half', 'broke the club record',
      'trained hard all winter', 'lost the final by one point', 'crossed the line first', 'saved a penalty'],
    tails: ['in front of a full stadium', 'at the spring tournament', 'despite the injury', 'on the last lap', 'this season'],
  },
};
const topicLines = [];
const labels = Object.keys(topics);
for (let i = 0; i < 360; i++) {
  const label = labels[i % labels.length];
  const t = topics[label];
  const text = `${pick(t.subjects)} ${pick(t.predicates)} ${pick(t.tails)}`;
  topicLines.push(`${label}\t${text[0].toUpperCase()}${text.slice(1)}.`);
}
// Shuffle (Fisher–Yates with the seeded PRNG) so labels are not in a fixed rotation.
for (let i = topicLines.length - 1; i > 0; i--) {
  const j = Math.floor(random() * (i + 1));
  [topicLines[i], topicLines[j]] = [topicLines[j], topicLines[i]];
}
writeFileSync(join(samples, 'topics.tsv'), topicLines.join('\n') + '\n');

// ---- dates.tsv: "3 may 1979" → "1979-05-03", in varied formats, source<TAB>target ----
// Its own seed, so the files above stay as they were. Years 1950-2049: a two-digit year yy means
// 19yy from 50 and 20yy below, which the model has to learn too. Day-first numeric forms only
// (03.05.1979), so every source has one reading.
const dateRandom = seededRandom(19790503);
const dpick = (list) => list[Math.floor(dateRandom() * list.length)];
const monthNames = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september',
  'october', 'november', 'december'];
const weekdayNames = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const two = (n) => String(n).padStart(2, '0');
const ordinal = (d) => `${d}${d % 10 === 1 && d !== 11 ? 'st' : d % 10 === 2 && d !== 12 ? 'nd' : d % 10 === 3 && d !== 13 ? 'rd' : 'th'}`;
const title = (w) => w[0].toUpperCase() + w.slice(1);
const short = (w) => w.slice(0, 3);
const dateFormats = [
  ({ d, mon, y }) => `${d} ${mon} ${y}`,                          // 3 may 1979
  ({ d, mon, y }) => `${two(d)} ${mon} ${y}`,                     // 03 may 1979
  ({ d, mon, y }) => `${mon} ${d}, ${y}`,                         // may 3, 1979
  ({ d, mon, y }) => `${mon} ${d} ${y}`,                          // may 3 1979
  ({ d, mon, y }) => `${d} ${mon}, ${y}`,                         // 3 may, 1979
  ({ d, mon, y, wd }) => `${wd}, ${mon} ${d}, ${y}`,              // thursday, may 3, 1979
  ({ d, mon, y, wd }) => `${short(wd)} ${d} ${short(mon)} ${y}`,  // thu 3 may 1979
  ({ d, mon, y }) => `${d} ${short(mon)} ${y}`,                   // 3 may 1979, months cut to 3 letters
  ({ d, mon, y }) => `${short(mon)} ${two(d)} ${y}`,              // may 03 1979
  ({ d, m, y }) => `${two(d)}.${two(m)}.${y}`,                    // 03.05.1979
  ({ d, m, yy }) => `${d}.${m}.${yy}`,                            // 3.5.79
  ({ d, mon, yy }) => `${d} ${short(mon)} ${yy}`,                 // 3 may 79
  ({ d, mon, y }) => `${ordinal(d)} of ${mon} ${y}`,              // 3rd of may 1979
  ({ d, mon, y }) => `the ${ordinal(d)} of ${mon}, ${y}`,         // the 3rd of may, 1979
  ({ d, mon, y }) => `${y}, ${mon} ${d}`,                         // 1979, may 3
];
const casing = [(s) => s, (s) => s.replace(/\b[a-z]+/g, (w) => (w === 'of' || w === 'the' ? w : title(w))), (s) => s.toUpperCase()];
/** The next date line from the generator whose source is not in `seen` (which it joins). */
function nextDateLine(seen) {
  for (;;) {
    const y = 1950 + Math.floor(dateRandom() * 100), m = 1 + Math.floor(dateRandom() * 12);
    const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
    const d = 1 + Math.floor(dateRandom() * days);
    const wd = weekdayNames[new Date(Date.UTC(y, m - 1, d)).getUTCDay()];
    const source = dpick(casing)(dpick(dateFormats)({ d, m, y, yy: two(y % 100), mon: monthNames[m - 1], wd }));
    if (seen.has(source)) continue;
    seen.add(source);
    return { source, target: `${y}-${two(m)}-${two(d)}` };
  }
}
const seenDates = new Set();
const dateLines = [];
while (dateLines.length < 12000) dateLines.push(nextDateLine(seenDates));
writeFileSync(join(samples, 'dates.tsv'), dateLines.map((l) => `${l.source}\t${l.target}\n`).join(''));

// dates-heldout.tsv: 1000 more lines from the same generator (so dates.tsv above is unchanged), none
// of whose dates (targets) is in dates.tsv, so neither the source nor the answer was seen in training.
const trainedDates = new Set(dateLines.map((l) => l.target));
const heldOutLines = [];
while (heldOutLines.length < 1000) {
  const line = nextDateLine(seenDates);
  if (!trainedDates.has(line.target)) heldOutLines.push(line);
}
writeFileSync(join(samples, 'dates-heldout.tsv'), heldOutLines.map((l) => `${l.source}\t${l.target}\n`).join(''));

// ---- long-memory.tsv: the notes' long-term dependency (§1.1.4), label<TAB>text ----
// The label is the first character (one of W X Y Z); 95 random lowercase letters follow, so a
// classifier that reads the line to its end must carry that first character across 96 steps.
// A vanilla tanh RNN's gradient ‖∂L/∂a<t>‖ fades towards t = 1; an LSTM whose forget gate starts
// open (model.forgetBias) keeps it. Enough lines that neither model can learn the fillers by heart.
// Every line has the same length, so no padding blurs the gradient-through-time chart.
// Its own seed, so the files above stay as they were.
const memoryRandom = seededRandom(4711);
const keys = ['W', 'X', 'Y', 'Z'];
const filler = 'abcdefghijklmnopqrstuvwxyz';
const memoryLines = [];
for (let i = 0; i < 4000; i++) {
  const key = keys[Math.floor(memoryRandom() * keys.length)];
  let text = key;
  while (text.length < 96) text += filler[Math.floor(memoryRandom() * filler.length)];
  memoryLines.push(`${key}\t${text}`);
}
writeFileSync(join(samples, 'long-memory.tsv'), memoryLines.join('\n') + '\n');

// ---- people.txt: plain sentences for the name tagger to label (no labels in the file) ----
const peopleRandom = seededRandom(1865);
const ppick = (list) => list[Math.floor(peopleRandom() * list.length)];
const peopleLines = ['Harry Potter and Hermione Granger invented a new spell .'];
while (peopleLines.length < 12) {
  const who = peopleRandom() < 0.6 ? `${ppick(firstNames)} ${ppick(lastNames)}` : ppick(firstNames);
  const other = ppick(firstNames);
  const [a, b, c] = ppick(objects);
  peopleLines.push(peopleRandom() < 0.5
    ? `Yesterday ${who} met ${other} near the station in ${ppick(places)} .`
    : `In ${ppick(places)} , ${who} ${ppick(verbs)} ${a} ${b} ${c} on ${ppick(days)} .`);
}
writeFileSync(join(samples, 'people.txt'), peopleLines.join('\n') + '\n');
