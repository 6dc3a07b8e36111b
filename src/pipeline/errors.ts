// Errors the pipeline raises on purpose. InputError = the user's file, config or arguments are wrong
// (CLI exit code 2); anything else that escapes is a failure of the work itself (exit code 1).

/** Bad input: the message names the file (and line or JSON path) and what was expected. */
export class InputError extends Error {
  override readonly name = 'InputError';
  constructor(message: string) {
    super(message);
  }
}

export const isInputError = (e: unknown): e is InputError => e instanceof InputError;

/** `where: message`, where = `file`, `file:line` or `file: /json/path`. */
export const inputError = (where: string, message: string): InputError => new InputError(`${where}: ${message}`);

const SHOWN_CHARACTERS = 40;

/**
 * A value for a message: as JSON, cut when long, so a 10 MB string in a config is not echoed back:
 * `"aaaa…" (10,485,760 characters)`.
 */
export function shortValue(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  if (text.length <= SHOWN_CHARACTERS * 2) return typeof value === 'string' ? JSON.stringify(value) : text;
  const head = text.slice(0, SHOWN_CHARACTERS);
  const shown = typeof value === 'string' ? `${JSON.stringify(head).slice(0, -1)}…"` : `${head}…`;
  return `${shown} (${text.length.toLocaleString('en-US')} characters)`;
}

/** A few items of a list for a message: `"a", "b", "c" and 97 more`. */
export function someOf(items: readonly string[], shown = 10): string {
  const listed = items.slice(0, shown).map((s) => shortValue(s)).join(', ');
  return items.length > shown ? `${listed} and ${(items.length - shown).toLocaleString('en-US')} more` : listed;
}
