// Builds and packages a platform-specific VSIX holding only that platform's onnxruntime binaries,
// with no network use. Usage: node scripts/package.mjs [--target linux-x64] — the current platform
// by default. Prints the VSIX path as its last line; fails if the VSIX reaches 25 MB.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname.replace(/\/$/, '');
const maxBytes = 25 * 1024 * 1024;

// VS Code target → onnxruntime-node's bin/napi-v6/<os>/<arch> (the platforms onnxruntime ships).
const onnxruntimeFolder = {
  'linux-x64': 'linux/x64', 'linux-arm64': 'linux/arm64', 'darwin-arm64': 'darwin/arm64',
  'win32-x64': 'win32/x64', 'win32-arm64': 'win32/arm64',
};

const targetFlag = process.argv.indexOf('--target');
const target = targetFlag >= 0 ? process.argv[targetFlag + 1] : `${process.platform}-${process.arch}`;
const binFolder = onnxruntimeFolder[target];
if (!binFolder) {
  console.error(`package: no onnxruntime-node binaries for target "${target}"; expected one of ${Object.keys(onnxruntimeFolder).join(', ')}`);
  process.exit(2);
}
const binPath = `node_modules/onnxruntime-node/bin/napi-v6/${binFolder}`;
if (!existsSync(join(root, binPath, 'onnxruntime_binding.node'))) {
  console.error(`package: ${binPath}/onnxruntime_binding.node is missing; run npm ci first`);
  process.exit(1);
}

const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: 'inherit' });
run(process.execPath, [join(root, 'scripts', 'build.mjs')]);

// .vscodeignore keeps linux-x64's binaries; point that one line at the target's folder instead.
const binLine = /^!node_modules\/onnxruntime-node\/bin\/napi-v6\/.*$/m;
const ignoreRules = readFileSync(join(root, '.vscodeignore'), 'utf8');
if (!binLine.test(ignoreRules)) {
  console.error('package: .vscodeignore has no "!node_modules/onnxruntime-node/bin/napi-v6/<os>/<arch>/**" line to point at the target');
  process.exit(1);
}
const scratch = mkdtempSync(join(tmpdir(), 'rnnlab-package-'));
const ignoreFile = join(scratch, 'vscodeignore');
writeFileSync(ignoreFile, ignoreRules.replace(binLine, `!${binPath}/**`));

const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const vsix = join(root, `rnn-lab-${version}-${target}.vsix`);
try {
  run(process.execPath, [join(root, 'node_modules', '@vscode', 'vsce', 'vsce'), 'package', '--target', target,
    '--ignoreFile', ignoreFile, '--out', vsix, '--allow-missing-repository',
    // README images are relative (docs/screenshots, not shipped): keep the links as they are.
    '--no-rewrite-relative-links']);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

const bytes = statSync(vsix).size;
console.log(`package: ${vsix} is ${(bytes / 1024 / 1024).toFixed(1)} MB (limit ${maxBytes / 1024 / 1024} MB)`);
if (bytes >= maxBytes) process.exit(1);
console.log(vsix);
