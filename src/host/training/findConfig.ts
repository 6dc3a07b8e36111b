// The nearest .rnnconfig to a data file: its own folder first, then each parent up to the
// workspace root (inclusive). Plain fs, no vscode, so unit tests can call it.
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The configs of the nearest folder that has any, best first: `<stem>.rnnconfig` of the file
 * itself, then the others in name order. Empty when no folder up to `root` has one.
 */
export function nearestConfigs(file: string, root: string): string[] {
  const stem = path.basename(file).replace(/\.[^.]*$/, '');
  const top = path.resolve(root);
  for (let dir = path.dirname(path.resolve(file)); ; dir = path.dirname(dir)) {
    let names: string[] = [];
    try {
      names = fs.readdirSync(dir).filter((n) => n.endsWith('.rnnconfig')).sort();
    } catch { /* unreadable folder: keep walking up */ }
    if (names.length) {
      const own = names.indexOf(`${stem}.rnnconfig`);
      if (own > 0) names.unshift(...names.splice(own, 1));
      return names.map((n) => path.join(dir, n));
    }
    const inside = dir === top || !path.relative(top, dir).startsWith('..');
    if (!inside || dir === top || path.dirname(dir) === dir) return [];
  }
}
