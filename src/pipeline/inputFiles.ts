// Checks on the files a run reads, before any is opened: each must exist and be a regular file (a
// named pipe or a device would block the read for ever, a folder cannot be read), and a missing one is
// said with the config field that named it ("data.validation: valid.txt not found (…)").
import * as fs from 'node:fs';
import * as path from 'node:path';
import { inputError } from './errors';

/** "a folder", "a named pipe (FIFO)", ...: what a path is when it is not a regular file. */
export function fileKind(stat: fs.Stats): string {
  if (stat.isDirectory()) return 'a folder';
  if (stat.isFIFO()) return 'a named pipe (FIFO)';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  if (stat.isSocket()) return 'a socket';
  return stat.isFile() ? 'a regular file' : 'not a regular file';
}

/**
 * Refuses what is not a regular file. With `field` (the config field naming it) the message leads with
 * the field; without, with the path: `/data/x.txt: no such file; expected a UTF-8 text file`.
 */
export function checkRegularFile(file: string, field?: string): void {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') throw inputError(field ? `${field}: ${file}` : file, `cannot be read (${code})`);
    if (field) throw inputError(field, `${path.basename(file)} not found (looked for ${file}; paths are relative to the config file)`);
    throw inputError(file, 'no such file; expected a UTF-8 text file');
  }
  if (stat.isFile()) return;
  const what = `is ${fileKind(stat)}, not a regular file; expected a UTF-8 text file`;
  throw field ? inputError(field, `${path.basename(file)} ${what}`) : inputError(file, what);
}

/** The files a config's data section names (RnnConfig['data'] is one; declared here, below config.ts, which calls this file). */
export interface DataFiles {
  readonly train: string;
  readonly validation: number | string;   // a path, or the share held out
  readonly vectors: string;               // '' = none
}

/** Every file a config names for training: data.train, data.validation (when a path), data.vectors. */
export function checkDataFiles(config: { readonly data: DataFiles }): void {
  const { data } = config;
  checkRegularFile(data.train, 'data.train');
  if (typeof data.validation === 'string') checkRegularFile(data.validation, 'data.validation');
  if (data.vectors) checkRegularFile(data.vectors, 'data.vectors');
}

/** True when file is `folder` or inside it (paths resolved; no symlinks followed). */
export function isInside(file: string, folder: string): boolean {
  const rel = path.relative(path.resolve(folder), path.resolve(file));
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * The files a config makes training read that lie outside every one of `folders` (the workspace):
 * a workspace's config naming ~/.ssh/id_rsa as its data would copy it into a model. `trainGiven`:
 * data.train was chosen by the user (Train on This File), not by the config.
 */
export function filesOutside(config: { readonly data: DataFiles }, folders: readonly string[], trainGiven = false): { field: string; file: string }[] {
  const named: { field: string; file: string }[] = [];
  if (!trainGiven) named.push({ field: 'data.train', file: config.data.train });
  if (typeof config.data.validation === 'string') named.push({ field: 'data.validation', file: config.data.validation });
  if (config.data.vectors) named.push({ field: 'data.vectors', file: config.data.vectors });
  return named.filter(({ file }) => !folders.some((folder) => isInside(file, folder)));
}
