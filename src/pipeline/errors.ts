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
