// What the training commands accept as "a run": a Runs view item, a RunSummary-like object with
// `dir`, a run folder Uri, or its path. No vscode import beyond the Uri shape.
import * as path from 'node:path';

export function runDirOf(arg: unknown): string | undefined {
  if (typeof arg === 'string' && arg) return path.resolve(arg);
  if (arg && typeof arg === 'object') {
    const o = arg as { dir?: unknown; fsPath?: unknown; scheme?: unknown };
    if (typeof o.dir === 'string') return path.resolve(o.dir);
    if (typeof o.fsPath === 'string' && o.scheme === 'file') return path.resolve(o.fsPath);
  }
  return undefined;
}
