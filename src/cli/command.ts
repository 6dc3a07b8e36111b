// One rnn-lab command as the command table (commandTable.ts) lists it: its synopsis, what it does and
// its options, from which `rnn-lab COMMAND --help` and `rnn-lab --help` are written, and its run
// function. A new command adds one entry to the table and gets its help for free.
import type { CliIO } from './output';

export interface CliCommand {
  readonly name: string;
  /** The synopsis: `rnn-lab eval MODEL FILE [--backend engine|ort] [--json]`. */
  readonly usage: string;
  /** What it does, in a sentence or two. */
  readonly summary: string;
  /** Each option as it is written and what it does: ['--top-k K', 'sample among the K most likely tokens']. */
  readonly options?: readonly (readonly [string, string])[];
  /** More to know (formats, defaults), printed after the options. */
  readonly notes?: string;
  /** The command reads --help itself (its own help text); main passes it through. */
  readonly ownHelp?: boolean;
  run(argv: readonly string[], io: CliIO): number | Promise<number>;
}

export const FOOTER = 'MODEL is a run folder or an .onnx file. Exit codes: 0 done, 1 failed, 2 bad usage or input.';

/** `rnn-lab COMMAND --help`. Options the entry does not describe are listed from its synopsis. */
export function commandHelp(c: CliCommand): string {
  const described = new Map((c.options ?? []).map(([flag, text]) => [flag, text]));
  const named = new Set([...described.keys()].map((flag) => flag.split(/[ =]/)[0]));
  for (const m of c.usage.matchAll(/--[a-z][a-z0-9-]*(?: [A-Z][A-Z0-9_.|-]*| engine\|ort)?/g)) {
    if (!named.has(m[0].split(' ')[0])) { described.set(m[0], ''); named.add(m[0].split(' ')[0]); }
  }
  described.set('--help', 'show this help');
  const width = Math.max(...[...described.keys()].map((k) => k.length));
  const options = [...described].map(([flag, text]) => `  ${flag.padEnd(width)}${text ? `  ${text}` : ''}`);
  return [`usage: ${c.usage}`, '', c.summary, '', 'options:', ...options, ...(c.notes ? ['', c.notes] : []), '', FOOTER, ''].join('\n');
}

/** `rnn-lab --help`: every command's synopsis. */
export function overallHelp(commands: readonly CliCommand[]): string {
  return ['usage:', ...commands.map((c) => `  ${c.usage}`), '  rnn-lab --version',
    '', '`rnn-lab COMMAND --help` says more about each command.', FOOTER, ''].join('\n');
}
