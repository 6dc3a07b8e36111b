// Durable writes through a file system that writes short, fills up or refuses: every byte is written,
// a failed write leaves the previous file whole (and no temp file), a failed append leaves no torn
// line, and the messages say what happened in words.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { appendJsonLine, readJsonLines, removeStaleTempFiles, StorageError, writeFileAtomic, type WriteFs } from '../../../src/pipeline/atomicFile';

interface Faults {
  readonly maxWrite?: number;      // no write call writes more than this many bytes (a short write)
  readonly spaceLeft?: number;     // bytes the disk takes in all; then ENOSPC (after a short write of what fits)
  readonly zeroWrites?: boolean;   // writes return 0 without an error
  readonly openFails?: string;     // errno code of every open for writing
}

/** node:fs with faults injected, and a log of the calls that matter for durability. */
function faultyFs(faults: Faults): WriteFs & { calls: string[] } {
  let left = faults.spaceLeft ?? Infinity;
  const calls: string[] = [];
  const errno = (code: string) => Object.assign(new Error(`${code}: injected`), { code });
  return {
    calls,
    openSync(file, flags) {
      if (faults.openFails && flags !== 'r') throw errno(faults.openFails);
      calls.push(`open ${path.basename(file).replace(/\.\d+\.[0-9a-z]+\.tmp$/, '.TMP')} ${flags}`);
      return fs.openSync(file, flags);
    },
    writeSync(fd, data, offset, length) {
      if (faults.zeroWrites) return 0;
      if (left <= 0) throw errno('ENOSPC');
      const n = Math.min(length, faults.maxWrite ?? length, left);
      left -= n;
      return fs.writeSync(fd, data, offset, n);
    },
    fsyncSync(fd) { calls.push('fsync'); fs.fsyncSync(fd); },
    ftruncateSync: (fd, length) => fs.ftruncateSync(fd, length),
    fstatSync: (fd) => fs.fstatSync(fd),
    closeSync: (fd) => fs.closeSync(fd),
    renameSync(from, to) { calls.push(`rename → ${path.basename(to)}`); fs.renameSync(from, to); },
    rmSync: (file, options) => fs.rmSync(file, options),
  };
}

describe('pipeline/atomicFile: short writes, a full disk, a refusing file system', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rnnlab-atomic-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const previous = Buffer.from('the previous checkpoint\n'.repeat(100));
  const next = Buffer.from(Array.from({ length: 50_000 }, (_, i) => i % 251));
  const temps = () => fs.readdirSync(dir).filter((n) => n.endsWith('.tmp'));

  it('writes every byte through short writes, fsyncs the file, renames, then fsyncs the folder', () => {
    const file = path.join(dir, 'short.bin');
    const io = faultyFs({ maxWrite: 7 });
    writeFileAtomic(file, next, io);
    assert.deepEqual(fs.readFileSync(file), next);
    assert.deepEqual(io.calls, ['open .short.bin.TMP wx', 'fsync', 'rename → short.bin', `open ${path.basename(dir)} r`, 'fsync']);
  });

  const failures: [string, Faults, RegExp][] = [
    ['the disk fills up part-way', { spaceLeft: 20_000, maxWrite: 4096 }, /^disk full writing .*checkpoint\.bin$/],
    ['writes make no progress (0 bytes, no error)', { zeroWrites: true }, /^disk full writing .*checkpoint\.bin$/],
    ['the file system is read-only', { openFails: 'EROFS' }, /^read-only file system writing .*checkpoint\.bin$/],
    ['the quota is used up', { openFails: 'EDQUOT' }, /^disk quota exceeded writing .*checkpoint\.bin$/],
    ['permission is denied', { openFails: 'EACCES' }, /^permission denied writing .*checkpoint\.bin$/],
  ];
  for (const [what, faults, message] of failures) {
    it(`${what}: a StorageError in words, the previous file whole, no temp file left`, () => {
      const file = path.join(dir, 'checkpoint.bin');
      fs.writeFileSync(file, previous);
      assert.throws(() => writeFileAtomic(file, next, faultyFs(faults)), (e: unknown) => e instanceof StorageError && message.test(e.message));
      assert.deepEqual(fs.readFileSync(file), previous);
      assert.deepEqual(temps(), []);
    });
  }

  it('an append that fails part-way is cut back off: no torn line, the earlier lines kept', () => {
    const file = path.join(dir, 'metrics.jsonl');
    fs.writeFileSync(file, '{"step":1}\n{"step":2}\n');
    const before = fs.readFileSync(file);
    assert.throws(() => appendJsonLine(file, { step: 3, text: 'x'.repeat(500) }, faultyFs({ spaceLeft: 100, maxWrite: 30 })), /: disk full writing .*metrics\.jsonl$/);
    assert.deepEqual(fs.readFileSync(file), before);
    appendJsonLine(file, { step: 3 }, faultyFs({ maxWrite: 3 }));
    assert.deepEqual(readJsonLines(file), [{ step: 1 }, { step: 2 }, { step: 3 }]);
  });

  it('removeStaleTempFiles removes what interrupted writes left, and nothing else', () => {
    const sub = fs.mkdtempSync(path.join(dir, 'stale-'));
    for (const name of ['.checkpoint.bin.4242.lz3k9a0.tmp', '.run.lock.77.abcdef.tmp', 'checkpoint.bin', 'notes.tmp', '.hidden']) fs.writeFileSync(path.join(sub, name), '');
    removeStaleTempFiles(sub);
    assert.deepEqual(fs.readdirSync(sub).sort(), ['.hidden', 'checkpoint.bin', 'notes.tmp']);
  });
});
