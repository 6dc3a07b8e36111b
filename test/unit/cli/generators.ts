// Seeded generators of the notes' toy data: sentences with people's names tagged 1, other words 0
// ("Harry Potter and Hermione Granger invented a new spell" → 1 1 0 1 1 0 0 0 0), and a two-topic
// classification task.
import { Rng } from '../../../src/engine/rng';

const FIRST = ['Harry', 'Hermione', 'Ron', 'Ginny', 'Albus', 'Luna', 'Neville', 'Minerva', 'Severus', 'Draco', 'Sirius', 'Remus', 'Fred', 'George', 'Molly', 'Arthur'];
const LAST = ['Potter', 'Granger', 'Weasley', 'Dumbledore', 'Lovegood', 'Longbottom', 'McGonagall', 'Snape', 'Malfoy', 'Black', 'Lupin', 'Hagrid'];
const VERBS = ['invented', 'found', 'cast', 'broke', 'studied', 'forgot', 'wrote', 'stole'];
const THINGS = ['a new spell', 'the old map', 'a strange potion', 'the silver key', 'a long letter', 'the secret door'];
const PLACES = ['in the library', 'near the lake', 'at the castle', 'after dinner', 'before the match'];

type Tagged = [word: string, tag: 0 | 1][];

function person(rng: Rng): Tagged {
  const first: Tagged = [[FIRST[rng.int(FIRST.length)], 1]];
  return rng.uniform() < 0.7 ? [...first, [LAST[rng.int(LAST.length)], 1]] : first;
}
const words = (phrase: string): Tagged => phrase.split(' ').map((w) => [w, 0]);

export function nameSentence(rng: Rng): Tagged {
  const subject = rng.uniform() < 0.4 ? [...person(rng), ...words('and'), ...person(rng)] : person(rng);
  const tail = rng.uniform() < 0.5 ? words(PLACES[rng.int(PLACES.length)]) : [];
  const object = rng.uniform() < 0.3 ? [...words('with'), ...person(rng)] : [];
  return [...subject, ...words(VERBS[rng.int(VERBS.length)]), ...words(THINGS[rng.int(THINGS.length)]), ...object, ...tail];
}

/** `token<TAB>label` lines, a blank line between sentences. */
export const taggedFile = (sentences: Tagged[]): string =>
  sentences.map((s) => s.map(([w, t]) => `${w}\t${t}`).join('\n')).join('\n\n') + '\n';

const TOPICS: Record<string, string[]> = {
  sport: ['match', 'goal', 'team', 'ball', 'coach', 'score', 'player', 'season'],
  cooking: ['soup', 'bread', 'oven', 'salt', 'recipe', 'butter', 'dinner', 'spice'],
};
const FILLER = ['the', 'a', 'was', 'very', 'after', 'then', 'we', 'it', 'good', 'long'];

/** `label<TAB>text` lines: each text mixes filler words with words of its topic. */
export function topicLines(rng: Rng, n: number): string[] {
  const labels = Object.keys(TOPICS);
  return Array.from({ length: n }, () => {
    const label = labels[rng.int(labels.length)];
    const text = Array.from({ length: 5 + rng.int(5) }, () =>
      (rng.uniform() < 0.4 ? TOPICS[label][rng.int(8)] : FILLER[rng.int(FILLER.length)]));
    text[rng.int(text.length)] = TOPICS[label][rng.int(8)]; // at least one word says the topic
    return `${label}\t${text.join(' ')}`;
  });
}
