// Where the CLI writes: stdout for results (JSON lines with --json), stderr for progress and errors.
// Injected so tests can capture it; `isTTY` decides between a redrawn progress bar and plain lines.
export interface CliIO {
  out(text: string): void;
  err(text: string): void;
  readonly isTTY: boolean;
  /** Called on Ctrl-C (SIGINT); returns a function that removes the handler. */
  onInterrupt(handler: () => void): () => void;
}

export const processIO: CliIO = {
  out: (text) => { process.stdout.write(text); },
  err: (text) => { process.stderr.write(text); },
  isTTY: !!process.stderr.isTTY,
  onInterrupt(handler) {
    process.on('SIGINT', handler);
    return () => process.off('SIGINT', handler);
  },
};

export const jsonLine = (value: unknown): string => JSON.stringify(value) + '\n';

/** `[#######.......] ` bar of a width for a share done. */
export function bar(done: number, width = 24): string {
  const filled = Math.round(Math.max(0, Math.min(1, done)) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}

export function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  return s >= 3600 ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`
    : s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}
