// Which file a failed training's message is about, so the editor can open it there: the config (a
// value out of range, a missing data file's field, a learning rate that diverged) or a data file (a
// malformed line). Reads the `where` the pipeline's input errors lead with (errors.ts: `file`,
// `file:line`, a config field such as `data.train`); a message naming neither gives no location.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as jsonc from 'jsonc-parser';
import type { FaultLocation, WorkerStart } from '../../protocol/worker';
import { runFile } from '../runStore';

const DATA_FIELDS = ['train', 'validation', 'vectors'] as const;

/** The config this start trains with: its .rnnconfig, or a resumed run's snapshot. */
function configOf(start: WorkerStart): string | undefined {
  return start.configPath ?? (start.resume ? runFile(start.runDir, 'config') : undefined);
}

function readConfig(file: string): { text: string; data: Record<string, unknown> } | undefined {
  try {
    const text = fs.readFileSync(file, 'utf8');
    const value = jsonc.parse(text) as { data?: Record<string, unknown> } | undefined;
    return { text, data: value?.data && typeof value.data === 'object' ? value.data : {} };
  } catch {
    return undefined;
  }
}

/** The 1-based line of a JSON path's value in a config's text; undefined when it is not there. */
function lineOfField(text: string, at: (string | number)[]): number | undefined {
  const node = jsonc.findNodeAtLocation(jsonc.parseTree(text) ?? { type: 'null', offset: 0, length: 0 } as jsonc.Node, at);
  if (!node) return undefined;
  return text.slice(0, node.offset).split('\n').length;
}

export function faultLocation(message: string, start: WorkerStart): FaultLocation | undefined {
  const configFile = configOf(start);
  const config = configFile ? readConfig(configFile) : undefined;
  const inConfig = (at: (string | number)[]): FaultLocation | undefined =>
    configFile ? { kind: 'config', file: configFile, line: config && lineOfField(config.text, at) } : undefined;

  if (message.startsWith('training diverged')) return inConfig(['training', 'learningRate']);
  const colon = message.indexOf(': ');
  if (colon < 0) return undefined;
  const where = message.slice(0, colon);
  const field = /^data\.(train|validation|vectors)$/.exec(where);
  if (field) return inConfig(['data', field[1]]);          // a missing file: the field that names it

  const [, name, line] = /^(.*?)(?::(\d+))?$/.exec(where)!;
  const same = (file: string) => name === file || name === path.basename(file);
  if (configFile && same(configFile)) return { kind: 'config', file: configFile, line: line ? Number(line) : undefined };
  const dataFiles = [
    ...(start.dataPath ? [path.resolve(start.dataPath)] : []),
    ...DATA_FIELDS.map((k) => config?.data[k]).filter((v): v is string => typeof v === 'string' && v !== '')
      .map((v) => path.resolve(path.dirname(configFile!), v)),
  ];
  const data = dataFiles.find(same);
  return data ? { kind: 'data', file: data, line: line ? Number(line) : undefined } : undefined;
}
