// The integration suites' entry point, loaded inside a real VS Code extension host by both runners
// (scripts/test.mjs through code-server, scripts/test-electron.mjs through @vscode/test-electron).
// Runs every out/test/integration/**/*.test.js with mocha (bdd) and prints one summary line.
// The workspace is a temp copy of samples/ (scripts/integration-layer.mjs), so suites may write there.
import * as fs from 'fs';
import * as path from 'path';
import Mocha from 'mocha';

/** The runners parse this line from the extension host's console to count tests. */
export const summaryPrefix = 'RNNLAB-TEST-SUMMARY ';

function testFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return testFiles(full);
    return entry.name.endsWith('.test.js') ? [full] : [];
  });
}

export function run(): Promise<void> {
  // RNNLAB_TEST_GREP narrows the run to matching test titles (handy while writing one suite).
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 60_000, grep: process.env.RNNLAB_TEST_GREP });
  // Sorted, so activation.test.js runs before any suite that may load onnxruntime-node on purpose.
  for (const file of testFiles(__dirname).sort()) mocha.addFile(file);

  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      const { passes = 0, failures: failed = 0, pending = 0 } = runner.stats ?? {};
      console.log(summaryPrefix + JSON.stringify({ passed: passes, failed, pending }));
      if (failures > 0) reject(new Error(`${failures} integration test(s) failed`));
      else resolve();
    });
  });
}
