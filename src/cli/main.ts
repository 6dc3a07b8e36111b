// The rnn-lab command line: dispatch to a command of the command table (commandTable.ts), print help
// and the version, map errors to exit codes (0 done, 1 the work failed, 2 bad usage or input, with a
// one-line message). Commands are added in commandTable.ts, not here.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isInputError } from '../pipeline/errors';
import { packageRoot } from '../pipeline/packageRoot';
import { commandHelp, overallHelp } from './command';
import { COMMANDS } from './commandTable';
import type { CliIO } from './output';

export const USAGE = overallHelp(COMMANDS);

export async function main(argv: readonly string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    const topic = name === 'help' && rest[0] !== undefined ? COMMANDS.find((c) => c.name === rest[0]) : undefined;
    io.out(topic ? commandHelp(topic) : USAGE);
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-V') {
    io.out(`rnn-lab ${version()}\n`);
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    const names = COMMANDS.map((c) => c.name);
    io.err(`rnn-lab: unknown command ${JSON.stringify(name)}; expected ${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}\n${USAGE}`);
    return 2;
  }
  if (!command.ownHelp && (rest.includes('--help') || rest.includes('-h'))) {
    io.out(commandHelp(command));
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    io.err(`rnn-lab ${name}: ${message.split('\n')[0]}\n`);
    return isInputError(e) ? 2 : 1;
  }
}

function version(): string {
  return (JSON.parse(fs.readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}
