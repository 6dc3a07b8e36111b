// The extension's root folder (where package.json and schemas/ live), found from this module's
// location, which is dist/ when bundled and out/src/pipeline/ when compiled by tsc.
import * as fs from 'node:fs';
import * as path from 'node:path';

let cached: string | undefined;

export function packageRoot(): string {
  if (cached) return cached;
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest) && JSON.parse(fs.readFileSync(manifest, 'utf8')).name === 'rnn-lab') return (cached = dir);
    if (path.dirname(dir) === dir) throw new Error(`cannot find the rnn-lab package root above ${__dirname}`);
  }
}
