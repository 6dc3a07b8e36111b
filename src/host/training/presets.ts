// The preset configs shipped in the extension's presets/ folder (written by the config feature),
// and writing one beside a data file as its .rnnconfig with data.train pointing at the file.
// Plain fs + jsonc-parser, no vscode: the edit keeps the preset's comments and layout.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as jsonc from 'jsonc-parser';

export interface Preset {
  readonly file: string;          // absolute path of presets/<name>.rnnconfig
  readonly name: string;          // file name without extension
  readonly description: string;   // the preset's first comment line, or its task and cell
}

export function listPresets(presetsDir: string): Preset[] {
  if (!fs.existsSync(presetsDir)) return [];
  return fs.readdirSync(presetsDir).filter((n) => n.endsWith('.rnnconfig')).sort().map((n) => {
    const file = path.join(presetsDir, n);
    const text = fs.readFileSync(file, 'utf8');
    return { file, name: n.replace(/\.rnnconfig$/, ''), description: describe(text) };
  });
}

function describe(text: string): string {
  const comment = /^\s*\/\/\s*(.+)$/m.exec(text.split('{')[0] ?? '');
  if (comment) return comment[1].trim();
  const value = jsonc.parse(text) as { task?: string; model?: { cell?: string } } | undefined;
  return [value?.task, value?.model?.cell].filter(Boolean).join(', ');
}

/**
 * Writes `preset` as `<stem>.rnnconfig` beside `dataFile` (or `<stem>-2.rnnconfig`, ... when
 * taken: nothing existing is overwritten), with data.train set to the file's name. Returns its path.
 */
export function writePresetBeside(preset: Preset, dataFile: string): string {
  const dir = path.dirname(dataFile);
  const stem = path.basename(dataFile).replace(/\.[^.]*$/, '') || 'model';
  let target = path.join(dir, `${stem}.rnnconfig`);
  for (let k = 2; fs.existsSync(target); k++) target = path.join(dir, `${stem}-${k}.rnnconfig`);
  const text = fs.readFileSync(preset.file, 'utf8');
  const edits = jsonc.modify(text, ['data', 'train'], path.basename(dataFile),
    { formattingOptions: { insertSpaces: true, tabSize: 2, eol: text.includes('\r\n') ? '\r\n' : '\n' } });
  fs.writeFileSync(target, jsonc.applyEdits(text, edits), { flag: 'wx' });
  return target;
}
