// Atomic file writes: a temp file in the same folder, flushed to disk, then renamed over the target,
// so a reader or a crash sees the old file or the new one, never half of one.
import * as fs from 'node:fs';
import * as path from 'node:path';

export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${Date.now().toString(36)}.tmp`);
  const fd = fs.openSync(temp, 'w');
  try {
    fs.writeSync(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
    fs.fsyncSync(fd);
  } catch (e) {
    fs.closeSync(fd);
    fs.rmSync(temp, { force: true });
    throw e;
  }
  fs.closeSync(fd);
  fs.renameSync(temp, file);
}

/** Appends one JSON object as a line (metrics.jsonl, samples.jsonl). */
export function appendJsonLine(file: string, value: unknown): void {
  fs.appendFileSync(file, JSON.stringify(value) + '\n');
}

/** Reads a JSON-lines file, skipping a torn last line (a crash mid-append). */
export function readJsonLines<T>(file: string): T[] {
  if (!fs.existsSync(file)) return [];
  const out: T[] = [];
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    try { out.push(JSON.parse(line) as T); } catch { /* torn line */ }
  }
  return out;
}
