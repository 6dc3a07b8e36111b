// `npm start`: builds and packages the extension, installs the VSIX into a local code-server, opens the
// samples/ workspace there and prints the URL; serves until Ctrl-C (which also stops code-server).
//   RNNLAB_PORT   preferred port (default 8080; any free port if taken)
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { findFreePort, installExtension, repoRoot, startCodeServer } from './code-server.mjs';

const packaged = execFileSync(process.execPath, [join(repoRoot, 'scripts', 'package.mjs')],
  { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
const lines = packaged.trim().split('\n');
const vsix = lines.pop();
console.log(lines.pop());  // "package: <file> is N MB"


const workspace = join(repoRoot, 'samples');
const port = await findFreePort(Number(process.env.RNNLAB_PORT ?? 8080));
const server = await startCodeServer({ workspace, port, vsix });
console.log(`\nRNN Lab is running in code-server with the samples/ workspace:\n\n  ${server.url}/?folder=${encodeURIComponent(workspace)}\n`);
console.log('Open that URL in a browser; right-click corpus.txt → "Train on This File". Ctrl-C stops the server.');
await new Promise(() => {});  // serve until a signal; code-server.mjs stops the server on the way out
