// Readers for the line formats of DESIGN.md §2 (tag, classify, seq2seq) and task detection.
// Every malformed line is reported as `file:line: expected ..., got ...`.
import * as path from 'node:path';
import { inputError } from './errors';
import { readTextFile } from './textFile';
import type { Task } from '../protocol/api';

export type { Task };
export const TASKS: readonly Task[] = ['lm', 'tag', 'classify', 'seq2seq', 'embed'];

/** tag: one `token<TAB>label` a line, a blank line between sequences. */
export interface TaggedSequence { readonly tokens: string[]; readonly labels: string[]; readonly line: number }
/** classify: one `label<TAB>text` a line. */
export interface LabelledText { readonly label: string; readonly text: string; readonly line: number }
/** seq2seq: one `source<TAB>target` a line. */
export interface SequencePair { readonly source: string; readonly target: string; readonly line: number }

const lines = (text: string): string[] => text.split(/\r\n|\r|\n/);

export function parseTagged(text: string, file: string): TaggedSequence[] {
  const name = path.basename(file);
  const sequences: TaggedSequence[] = [];
  let current: TaggedSequence | undefined;
  lines(text).forEach((raw, i) => {
    const fields = taggedLine(raw, `${name}:${i + 1}`);
    if (!fields) { current = undefined; return; }
    if (!current) sequences.push(current = { tokens: [], labels: [], line: i + 1 });
    current.tokens.push(fields[0]);
    current.labels.push(fields[1]);
  });
  if (sequences.length === 0) throw inputError(name, 'no tagged sequences; expected "token<TAB>label" lines');
  return sequences;
}

/** One line of tag data: [token, label] (trimmed), or null for a blank line (a sequence break). `where` = file:line. */
export function taggedLine(raw: string, where: string): [string, string] | null {
  if (raw.trim() === '') return null;
  const fields = raw.split('\t');
  if (fields.length !== 2 || fields[0].trim() === '' || fields[1].trim() === '') {
    throw inputError(where, `expected "token<TAB>label", got ${describeFields(fields)}`);
  }
  return [fields[0].trim(), fields[1].trim()];
}

export function parseLabelled(text: string, file: string): LabelledText[] {
  const name = path.basename(file);
  const out: LabelledText[] = [];
  lines(text).forEach((raw, i) => {
    const row = labelledLine(raw, `${name}:${i + 1}`);
    if (row) out.push({ ...row, line: i + 1 });
  });
  if (out.length === 0) throw inputError(name, 'no examples; expected "label<TAB>text" lines');
  return out;
}

/** One line of classify data: the label (trimmed) and the text after the first TAB, or null for a blank line. */
export function labelledLine(raw: string, where: string): { label: string; text: string } | null {
  if (raw.trim() === '') return null;
  const tab = raw.indexOf('\t');
  const label = tab < 0 ? '' : raw.slice(0, tab).trim();
  const body = tab < 0 ? '' : raw.slice(tab + 1);
  if (tab < 0 || label === '' || body.trim() === '') {
    throw inputError(where, `expected "label<TAB>text", got ${describeFields(raw.split('\t'))}`);
  }
  return { label, text: body };
}

export function parsePairs(text: string, file: string): SequencePair[] {
  const name = path.basename(file);
  const out: SequencePair[] = [];
  lines(text).forEach((raw, i) => {
    if (raw.trim() === '') return;
    const fields = raw.split('\t');
    if (fields.length !== 2 || fields[0].trim() === '' || fields[1].trim() === '') {
      throw inputError(`${name}:${i + 1}`, `expected "source<TAB>target", got ${describeFields(fields)}`);
    }
    out.push({ source: fields[0], target: fields[1], line: i + 1 });
  });
  if (out.length === 0) throw inputError(name, 'no examples; expected "source<TAB>target" lines');
  return out;
}

function describeFields(fields: string[]): string {
  if (fields.length === 1) return 'no TAB';
  const empty = fields.findIndex((f) => f.trim() === '');
  return empty >= 0 ? `an empty field ${empty + 1} of ${fields.length}` : `${fields.length} fields`;
}

/**
 * Guesses the task of a data file when the config does not say: lines without a TAB → lm;
 * `token<TAB>label` with single-token sides and blank-line groups → tag; a short, repeated left
 * side → classify; otherwise seq2seq.
 */
export function detectTask(file: string): Task {
  return detectTaskOfText(readTextFile(file));
}

export function detectTaskOfText(text: string): Task {
  return detectTaskWithReasonOfText(text).task;
}

/** The detected task and why, in words for the user ("…, so this trains a seq2seq model"). */
export function detectTaskWithReason(file: string): { task: Task; reason: string } {
  return detectTaskWithReasonOfText(readTextFile(file));
}

export function detectTaskWithReasonOfText(text: string): { task: Task; reason: string } {
  const sample = lines(text).slice(0, 2000);
  const filled = sample.filter((l) => l.trim() !== '');
  if (filled.length === 0) return { task: 'lm', reason: 'no lines' };
  const untabbed = filled.findIndex((l) => !l.includes('\t'));
  if (untabbed >= 0) return { task: 'lm', reason: `lines without a TAB (line ${sample.indexOf(filled[untabbed]) + 1})` };
  const split = filled.map((l) => { const t = l.indexOf('\t'); return [l.slice(0, t).trim(), l.slice(t + 1).trim()]; });
  const oneWord = (s: string) => s !== '' && !/\s/.test(s);
  const hasBlankSeparators = sample.some((l, i) => l.trim() === '' && i > 0 && i < sample.length - 1);
  if (filled.every((l) => l.split('\t').length === 2) && split.every(([a, b]) => oneWord(a) && oneWord(b))
      && (hasBlankSeparators || filled.length < 3)) {
    return { task: 'tag', reason: 'one token<TAB>label a line, blank lines between sequences' };
  }
  // A classifier file: the left column is a short label, the same few labels again and again.
  const labels = new Set(split.map(([a]) => a));
  if (split.every(([a]) => oneWord(a)) && labels.size <= Math.max(2, filled.length / 3)) {
    return { task: 'classify', reason: `label<TAB>text lines (${labels.size} distinct label${labels.size === 1 ? '' : 's'} in ${filled.length} lines)` };
  }
  return { task: 'seq2seq', reason: `source<TAB>target lines (${labels.size} distinct left sides in ${filled.length} lines: not a few repeated labels)` };
}
