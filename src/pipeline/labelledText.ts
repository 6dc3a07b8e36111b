// A labelled document read for what a model reads in it: tag data (`token<TAB>label` lines, blank lines
// between sequences) gives its first column's tokens, each with its exact range in the document and
// its gold label; classify data (`label<TAB>text`) gives each line's text and gold label. `label` on a
// labelled file and the editor (the gold label beside the prediction) both read it here.
// Ranges are UTF-16 offsets in the document, as JavaScript and VS Code count.
import type { Task } from './formats';

const ONE_WORD = /^\S+$/u;

export interface GoldToken {
  readonly text: string;            // the token as written (trimmed)
  readonly start: number;
  readonly end: number;
  readonly gold: string;
}

export interface GoldLine {
  readonly line: number;            // 1-based
  readonly start: number;           // the whole line (line break excluded)
  readonly end: number;
  readonly textStart: number;       // where the text after the TAB starts
  readonly text: string;
  readonly gold: string;
}

export type LabelledDocument =
  | { readonly task: 'tag'; readonly sequences: readonly (readonly GoldToken[])[] }
  | { readonly task: 'classify'; readonly lines: readonly GoldLine[] };

/**
 * The document in `task`'s labelled format, or null when it is not (plain text to label): every
 * non-blank line must be `token<TAB>label` with a one-word token and label (tag) or `label<TAB>text`
 * with a one-word label (classify).
 */
export function readLabelledText(text: string, task: Task): LabelledDocument | null {
  if (task !== 'tag' && task !== 'classify') return null;
  const sequences: GoldToken[][] = [];
  const lines: GoldLine[] = [];
  let current: GoldToken[] | null = null;
  let any = false;
  const re = /\r\n|\r|\n/g;
  for (let start = 0, line = 1; start <= text.length; line++) {
    const m = re.exec(text);
    const end = m ? m.index : text.length;
    const raw = text.slice(start, end);
    if (raw.trim() === '') current = null;
    else {
      any = true;
      const tab = raw.indexOf('\t');
      if (tab < 0) return null;
      const left = raw.slice(0, tab), right = raw.slice(tab + 1);
      if (task === 'tag') {
        // A token and a label, each one word: "Harry<TAB>Potter met Hermione" is text with a TAB in it.
        if (!ONE_WORD.test(left.trim()) || !ONE_WORD.test(right.trim())) return null;
        const lead = left.length - left.trimStart().length;
        const token = left.trim();
        (current ??= (sequences.push([]), sequences[sequences.length - 1])).push(
          { text: token, start: start + lead, end: start + lead + token.length, gold: right.trim() });
      } else {
        const label = left.trim();
        if (!ONE_WORD.test(label) || right.trim() === '') return null;
        lines.push({ line, start, end, textStart: start + tab + 1, text: right, gold: label });
      }
    }
    if (!m) break;
    start = m.index + m[0].length;
  }
  if (!any) return null;
  return task === 'tag' ? { task, sequences } : { task, lines };
}
