// Runs one plain-Node test layer with mocha (spec reporter) and prints the summary line that
// scripts/test.mjs counts. Usage: node scripts/mocha-layer.mjs DIR|FILE [--timeout MS]
// Every DIR/**/*.test.js (or the one FILE) is loaded (bdd); exits 1 if a test failed, 0 otherwise.
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Mocha from 'mocha';

export const summaryPrefix = 'RNNLAB-TEST-SUMMARY ';

const [dir, ...rest] = process.argv.slice(2);
if (!dir) {
  console.error('usage: node scripts/mocha-layer.mjs DIR|FILE [--timeout MS]');
  process.exit(2);
}
const timeoutFlag = rest.indexOf('--timeout');
const timeout = timeoutFlag >= 0 ? Number(rest[timeoutFlag + 1]) : 10_000;

function testFiles(folder) {
  let entries;
  try { entries = readdirSync(folder, { withFileTypes: true }); } catch { return []; }
  return entries.flatMap((entry) => {
    const full = join(folder, entry.name);
    if (entry.isDirectory()) return testFiles(full);
    return entry.name.endsWith('.test.js') ? [full] : [];
  });
}

const mocha = new Mocha({ ui: 'bdd', timeout, color: process.stdout.isTTY, grep: process.env.RNNLAB_TEST_GREP });
const target = resolve(dir);
const isFile = (() => { try { return statSync(target).isFile(); } catch { return false; } })();
for (const file of isFile ? [target] : testFiles(target).sort()) mocha.addFile(file);
await mocha.loadFilesAsync();
const runner = mocha.run((failures) => {
  const { passes = 0, failures: failed = 0, pending = 0 } = runner.stats ?? {};
  console.log(summaryPrefix + JSON.stringify({ passed: passes, failed, pending }));
  // Exit explicitly: a test that leaves a worker or a socket open must not hang the whole run.
  process.exit(failures > 0 ? 1 : 0);
});
