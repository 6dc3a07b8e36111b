// Which files a config makes training read outside the workspace (warned about when trusted, refused
// in Restricted Mode), and what package.json declares for untrusted workspaces.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseConfig } from '../../../src/pipeline/config';
import { filesOutside, isInside } from '../../../src/pipeline/inputFiles';

const workspace = '/home/ada/project';
const configIn = (data: Record<string, unknown>, at = `${workspace}/configs/lm.rnnconfig`) => parseConfig(JSON.stringify({ data }), at);

describe('pipeline/inputFiles: data outside the workspace', () => {
  const cases: [string, Record<string, unknown>, boolean, string[]][] = [
    ['everything inside', { train: '../data/corpus.txt', validation: 'valid.txt' }, false, []],
    ['a train file climbing out', { train: '../../.ssh/id_rsa' }, false, ['data.train /home/ada/.ssh/id_rsa']],
    ['an absolute validation file and vectors', { train: 'a.txt', validation: '/etc/passwd', tokenizer: 'word', vectors: '/opt/glove.txt' }, false,
      ['data.validation /etc/passwd', 'data.vectors /opt/glove.txt']],
    ['a train file the user chose (Train on This File) is not the config\'s doing', { train: '/tmp/elsewhere.txt' }, true, []],
    ['a sibling folder that shares the prefix is outside', { train: '../../project-secrets/keys.txt' }, false, ['data.train /home/ada/project-secrets/keys.txt']],
  ];
  for (const [what, data, trainGiven, expected] of cases) {
    it(what, () => {
      const outside = filesOutside(configIn(data), [workspace], trainGiven);
      assert.deepEqual(outside.map(({ field, file }) => `${field} ${file}`), expected);
    });
  }

  it('isInside: the folder itself and what is under it', () => {
    assert.deepEqual(['/w', '/w/a', '/w/a/../b', '/wx', '/', '/w/..'].map((p) => isInside(p, '/w')), [true, true, true, false, false, false]);
  });

  it('package.json: limited support in untrusted workspaces, restricting settings that exist', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', '..', 'package.json'), 'utf8'));
    const trust = manifest.capabilities.untrustedWorkspaces;
    assert.equal(trust.supported, 'limited');
    assert.ok(trust.description.length > 100);
    const settings = Object.keys(manifest.contributes.configuration.properties);
    assert.deepEqual(trust.restrictedConfigurations.filter((s: string) => !settings.includes(s)), []);
    assert.deepEqual([...trust.restrictedConfigurations].sort(), ['rnnLab.onnx.backend', 'rnnLab.runsFolder']);
  });
});
