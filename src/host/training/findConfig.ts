// Which .rnnconfig "Train on This File" uses for a data file: the config must fit the data. Its own
// `<stem>.rnnconfig` first, then a config whose data.train is that file, then one whose task fits the
// file's detected format, looking in the file's folder and then each parent up to the workspace root.
// Plain fs + jsonc-parser, no vscode, so unit tests can call it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as jsonc from 'jsonc-parser';
import type { Task } from '../../pipeline/formats';

/** Why a config was chosen for the file. */
export type ConfigFit = 'own' | 'trains-this-file' | 'fits-task';

export interface ConfigChoice {
  /** The configs to use, best first (several: the user picks); empty: none fits, offer presets. */
  readonly configs: readonly string[];
  readonly fit?: ConfigFit;
  /** The nearest configs that were passed over because their task does not fit, with their task. */
  readonly unfit: readonly { readonly file: string; readonly task: string }[];
}

interface ConfigFacts { readonly file: string; readonly task?: string; readonly train?: string }

/** The task a config trains and the data file it names (absolute); unreadable or invalid JSON: neither. */
function factsOf(file: string): ConfigFacts {
  let value: { task?: unknown; data?: { train?: unknown } } | undefined;
  try {
    value = jsonc.parse(fs.readFileSync(file, 'utf8')) as typeof value;
  } catch { /* unreadable: fits nothing by name, and "auto" by task */ }
  const task = typeof value?.task === 'string' && value.task !== 'auto' ? value.task : undefined;
  const train = typeof value?.data?.train === 'string' && value.data.train !== '' ? path.resolve(path.dirname(file), value.data.train) : undefined;
  return { file, task, train };
}

/**
 * Does a config of `task` (undefined = "auto": detected from the data) train on data detected as
 * `detected`? Any text is a language model's data, and word vectors' (embed) too.
 */
export function taskFits(task: string | undefined, detected: Task): boolean {
  if (task === undefined || task === detected) return true;
  return detected === 'lm' && task === 'embed';
}

/** The folders searched, nearest first: the file's own, then each parent up to `root` (inclusive). */
function foldersUp(file: string, root: string): string[] {
  const top = path.resolve(root);
  const folders: string[] = [];
  for (let dir = path.dirname(path.resolve(file)); ; dir = path.dirname(dir)) {
    const inside = dir === top || !path.relative(top, dir).startsWith('..');
    if (!inside) break;
    folders.push(dir);
    if (dir === top || path.dirname(dir) === dir) break;
  }
  return folders;
}

function configsIn(dir: string): string[] {
  try {
    return fs.readdirSync(dir).filter((n) => n.endsWith('.rnnconfig')).sort().map((n) => path.join(dir, n));
  } catch {
    return [];   // unreadable folder: keep walking up
  }
}

/** The config(s) for training on `file`, whose format was detected as `detected`. */
export function chooseConfig(file: string, root: string, detected: Task): ConfigChoice {
  const data = path.resolve(file);
  const own = path.join(path.dirname(data), `${path.basename(data).replace(/\.[^.]*$/, '')}.rnnconfig`);
  if (fs.existsSync(own) && own !== data) return { configs: [own], fit: 'own', unfit: [] };
  const folders = foldersUp(data, root).map((dir) => configsIn(dir).map(factsOf)).filter((configs) => configs.length > 0);
  for (const configs of folders) {
    const naming = configs.filter((c) => c.train === data);
    if (naming.length) return { configs: naming.map((c) => c.file), fit: 'trains-this-file', unfit: [] };
  }
  const unfit: { file: string; task: string }[] = [];
  for (const configs of folders) {
    // A config made for another data file still fits when its task does (data.train is overridden).
    const fitting = configs.filter((c) => taskFits(c.task, detected));
    if (fitting.length) return { configs: fitting.map((c) => c.file), fit: 'fits-task', unfit };
    if (!unfit.length) unfit.push(...configs.map((c) => ({ file: c.file, task: c.task ?? 'auto' })));
  }
  return { configs: [], unfit };
}
