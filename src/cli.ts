// The `rnn-lab` executable (package.json bin → dist/cli.js): the same pipeline as the extension,
// without VS Code. See src/cli/main.ts for the commands.
import { main } from './cli/main';
import { processIO } from './cli/output';

void main(process.argv.slice(2), processIO).then((code) => { process.exitCode = code; });
