// Durable writes of run files. writeFileAtomic: every byte into a temp file in the same folder, fsync,
// rename over the target, fsync the folder, so a reader, a crash or a full disk finds the old file or
// the new one, never part of one. appendJsonLine: a line is appended whole or not at all.
//
// A full disk, a quota, a read-only file system or a refused permission becomes a StorageError that
// says so in words and names the file ("disk full writing /runs/a/checkpoint.bin").
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The file-system calls the writers use: node:fs, or (in tests) one that writes short or fills up. */
export interface WriteFs {
  openSync(file: string, flags: string): number;
  writeSync(fd: number, data: Uint8Array, offset: number, length: number): number;
  fsyncSync(fd: number): void;
  ftruncateSync(fd: number, length: number): void;
  fstatSync(fd: number): { size: number };
  closeSync(fd: number): void;
  renameSync(from: string, to: string): void;
  rmSync(file: string, options: { force: boolean }): void;
}

const nodeFs: WriteFs = fs;

/** Error codes that mean "this storage cannot take the write", in words. */
const STORAGE_FAILURES: Readonly<Record<string, string>> = {
  ENOSPC: 'disk full', EDQUOT: 'disk quota exceeded', EFBIG: 'file too large for the file system',
  EROFS: 'read-only file system', EACCES: 'permission denied', EPERM: 'operation not permitted',
};

/** A write the storage refused: `code` is the errno name, `file` the file it was for. */
export class StorageError extends Error {
  override readonly name = 'StorageError';
  constructor(readonly code: string, readonly file: string) {
    super(`${STORAGE_FAILURES[code] ?? code} writing ${file}`);
  }

  /** The reason in words: "disk full", "read-only file system", ... */
  get reason(): string {
    return STORAGE_FAILURES[this.code] ?? this.code;
  }
}

export const isStorageError = (e: unknown): e is StorageError => e instanceof StorageError;

/** A StorageError for an errno the storage raised, else the error itself. */
export function asStorageError(e: unknown, file: string): unknown {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  return code && code in STORAGE_FAILURES ? new StorageError(code, file) : e;
}

let tempCounter = 0;
/** `.<name>.<pid>.<base36 time and counter>.tmp` beside the target: what removeStaleTempFiles matches. */
const tempNameOf = (file: string) =>
  path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${Date.now().toString(36)}${(tempCounter++).toString(36)}.tmp`);
const TEMP_NAME = /^\..+\.\d+\.[0-9a-z]+\.tmp$/;

/** Writes all of data at the fd's position, looping on short writes; no progress at all counts as a full disk. */
function writeAll(io: WriteFs, fd: number, data: Uint8Array, file: string): void {
  for (let done = 0; done < data.length;) {
    const n = io.writeSync(fd, data, done, data.length - done);
    if (n <= 0) throw new StorageError('ENOSPC', file);
    done += n;
  }
}

const bytesOf = (data: string | Uint8Array): Uint8Array => (typeof data === 'string' ? Buffer.from(data, 'utf8') : data);

export function writeFileAtomic(file: string, data: string | Uint8Array, io: WriteFs = nodeFs): void {
  const temp = tempNameOf(file);
  let fd: number;
  try {
    fd = io.openSync(temp, 'wx');
  } catch (e) {
    throw asStorageError(e, file);
  }
  try {
    writeAll(io, fd, bytesOf(data), file);
    io.fsyncSync(fd);
  } catch (e) {
    io.closeSync(fd);
    io.rmSync(temp, { force: true });
    throw asStorageError(e, file);
  }
  try {
    io.closeSync(fd);
    io.renameSync(temp, file);
  } catch (e) {
    io.rmSync(temp, { force: true });
    throw asStorageError(e, file);
  }
  syncFolder(path.dirname(file), io);
}

/**
 * Makes a folder's entries (a rename, a new file) durable. Platforms and file systems that cannot
 * fsync a folder (Windows; some network file systems) are skipped: there the rename is all we have.
 */
export function syncFolder(dir: string, io: WriteFs = nodeFs): void {
  let fd: number;
  try {
    fd = io.openSync(dir, 'r');
  } catch {
    return;
  }
  try {
    io.fsyncSync(fd);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (!['EINVAL', 'EISDIR', 'ENOTSUP', 'EPERM', 'EBADF'].includes(code ?? '')) throw asStorageError(e, dir);
  } finally {
    io.closeSync(fd);
  }
}

/**
 * Appends one JSON object as a line (metrics.jsonl, samples.jsonl). A write that fails part-way is
 * cut back off, so the file never keeps a torn line from a full disk (a crash can still leave one:
 * readJsonLines skips it).
 */
export function appendJsonLine(file: string, value: unknown, io: WriteFs = nodeFs): void {
  const line = Buffer.from(JSON.stringify(value) + '\n', 'utf8');
  let fd: number;
  try {
    fd = io.openSync(file, 'a');
  } catch (e) {
    throw asStorageError(e, file);
  }
  let before = -1;
  try {
    before = io.fstatSync(fd).size;
    writeAll(io, fd, line, file);
  } catch (e) {
    if (before >= 0) {
      try { io.ftruncateSync(fd, before); } catch { /* the append stays torn; readJsonLines skips it */ }
    }
    throw asStorageError(e, file);
  } finally {
    io.closeSync(fd);
  }
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

/** Removes temp files that interrupted writes left in dir; only whoever holds the folder's lock may. */
export function removeStaleTempFiles(dir: string): void {
  for (const name of fs.readdirSync(dir)) if (TEMP_NAME.test(name)) fs.rmSync(path.join(dir, name), { force: true });
}

/** writeFileAtomic for a file copied whole (an imported model), without blocking the thread that asks. */
export async function copyFileAtomic(from: string, to: string): Promise<void> {
  const temp = tempNameOf(to);
  try {
    await fs.promises.copyFile(from, temp, fs.constants.COPYFILE_EXCL);
    const handle = await fs.promises.open(temp, 'r+');
    try { await handle.sync(); } finally { await handle.close(); }
    await fs.promises.rename(temp, to);
  } catch (e) {
    await fs.promises.rm(temp, { force: true });
    throw asStorageError(e, to);
  }
  syncFolder(path.dirname(to));
}
