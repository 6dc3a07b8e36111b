// Reads a UTF-8 text file once, in chunks, handing out whole lines; rejects missing, empty and
// binary files with the file (and line) named. Memory: one chunk plus the caller's output.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { inputError } from './errors';
import { fileKind } from './inputFiles';

const CHUNK_BYTES = 4 << 20;

/** `onText(text, firstLine)` gets consecutive pieces of the file that end at a line break (or EOF). */
export function streamTextFile(file: string, onText: (text: string, firstLine: number) => void): { bytes: number; lines: number } {
  const fd = openForReading(file);
  const name = path.basename(file);
  try {
    const size = fs.fstatSync(fd).size;
    if (size === 0) throw inputError(name, 'the file is empty; expected UTF-8 text');
    const decoder = new TextDecoder('utf-8', { fatal: true });
    const chunk = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, size));
    let carry = '', line = 1, carryLine = 1, offset = 0, sawText = false;
    for (;;) {
      const n = fs.readSync(fd, chunk, 0, chunk.length, offset);
      const bytes = chunk.subarray(0, n);
      const nul = bytes.indexOf(0);
      if (nul >= 0) {
        throw inputError(`${name}:${line + countNewlines(bytes, nul)}`, `binary data (a NUL byte at byte ${offset + nul}); expected UTF-8 text`);
      }
      let decoded: string;
      try {
        decoded = decoder.decode(bytes, { stream: n > 0 });
      } catch {
        const bad = firstInvalidUtf8(bytes);
        throw inputError(`${name}:${line + countNewlines(bytes, Math.max(bad, 0))}`, `not valid UTF-8 (near byte ${offset + Math.max(bad, 0)}); expected UTF-8 text`);
      }
      line += countNewlines(bytes, n);
      offset += n;
      const text = carry + decoded;
      const cut = n === 0 ? text.length : text.lastIndexOf('\n') + 1;
      if (cut > 0) {
        const piece = text.slice(0, cut);
        if (!sawText && /\S/.test(piece)) sawText = true;
        onText(piece, carryLine);
        carryLine = line - countNewlinesInString(text.slice(cut));
      }
      carry = text.slice(cut);
      if (n === 0) break;
    }
    if (!sawText) throw inputError(name, 'the file holds only white space; expected UTF-8 text');
    return { bytes: offset, lines: line };
  } finally {
    fs.closeSync(fd);
  }
}

/** Reads a whole (small) text file with the same checks: formats parsed line by line. */
export function readTextFile(file: string): string {
  const parts: string[] = [];
  streamTextFile(file, (t) => parts.push(t));
  return parts.join('');
}

/**
 * Opens a regular file for reading. Non-blocking, so a named pipe cannot hang the open (nothing is
 * read before the check); folders, pipes, devices and sockets are refused at once.
 */
function openForReading(file: string): number {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw inputError(file, 'no such file; expected a UTF-8 text file');
    if ((e as NodeJS.ErrnoException).code === 'EISDIR') throw inputError(file, 'is a folder; expected a text file');
    throw e;
  }
  const stat = fs.fstatSync(fd);
  if (stat.isFile()) return fd;
  fs.closeSync(fd);
  throw inputError(file, stat.isDirectory() ? 'is a folder; expected a text file' : `is ${fileKind(stat)}, not a regular file; expected a UTF-8 text file`);
}

function countNewlines(bytes: Uint8Array, end: number): number {
  let n = 0;
  for (let i = bytes.indexOf(10); i >= 0 && i < end; i = bytes.indexOf(10, i + 1)) n++;
  return n;
}

function countNewlinesInString(s: string): number {
  let n = 0;
  for (let i = s.indexOf('\n'); i >= 0; i = s.indexOf('\n', i + 1)) n++;
  return n;
}

/** Offset of the first byte that starts an invalid UTF-8 sequence, or -1 (a cut tail counts as valid). */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length;) {
    const b = bytes[i];
    const need = b < 0x80 ? 0 : b >= 0xc2 && b < 0xe0 ? 1 : b >= 0xe0 && b < 0xf0 ? 2 : b >= 0xf0 && b < 0xf5 ? 3 : -1;
    if (need < 0) return i;
    for (let k = 1; k <= need; k++) {
      if (i + k >= bytes.length) return -1;
      if ((bytes[i + k] & 0xc0) !== 0x80) return i;
    }
    i += need + 1;
  }
  return -1;
}
