// The walkthrough's samples folder: the extension's samples and presets copied into the workspace.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse } from 'jsonc-parser';
import { parseConfig } from '../../../src/pipeline/config';
import { copySamples, sampleConfig, sampleConfigs } from '../../../src/host/samples/sampleFiles';

const root = path.resolve(__dirname, '../../../..');
const samples = path.join(root, 'samples'), presets = path.join(root, 'presets');

describe('samples folder (walkthrough)', () => {
  const target = () => fs.mkdtempSync(path.join(os.tmpdir(), 'rnnlab-samples-'));

  it('copies every sample and writes each config beside its data, valid and pointing at it', () => {
    const dir = target();
    const written = copySamples(samples, presets, dir);
    for (const f of fs.readdirSync(samples)) assert.ok(written.includes(f), f);
    for (const c of sampleConfigs) {
      const file = path.join(dir, `${c.name}.rnnconfig`);
      const text = fs.readFileSync(file, 'utf8');
      assert.equal((parse(text) as { data: { train: string } }).data.train, c.data, c.name);
      assert.match(text, /^\/\/ /, `${c.name} keeps the preset's comments`);
      const config = parseConfig(text, file);
      assert.equal(config.data.train, path.join(dir, c.data));
    }
  });

  it('overwrites nothing: a second copy writes nothing, an edited config stays', () => {
    const dir = target();
    copySamples(samples, presets, dir);
    fs.writeFileSync(path.join(dir, 'corpus.rnnconfig'), '// mine\n{}');
    fs.writeFileSync(path.join(dir, 'corpus.txt'), 'my own text');
    assert.deepEqual(copySamples(samples, presets, dir), []);
    assert.equal(fs.readFileSync(path.join(dir, 'corpus.rnnconfig'), 'utf8'), '// mine\n{}');
    assert.equal(fs.readFileSync(path.join(dir, 'corpus.txt'), 'utf8'), 'my own text');
  });

  it('names configs with or without the extension; the walkthrough\'s names all exist', () => {
    assert.equal(sampleConfig('vanish-lstm.rnnconfig')?.preset, 'vanish-lstm');
    assert.equal(sampleConfig('nope'), undefined);
    const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
    const links: string[] = JSON.stringify(manifest.contributes.walkthroughs).match(/command:rnnLab\.trainSample\?[^)"]+/g) ?? [];
    assert.ok(links.length >= 3);
    for (const link of links) {
      const names = JSON.parse(decodeURIComponent(link.slice(link.indexOf('?') + 1))) as string[];
      for (const n of names) assert.ok(sampleConfig(n), `${link}: ${n}`);
    }
  });

  it('every walkthrough button runs a command the extension contributes, and every image ships', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
    const ours = new Set<string>(manifest.contributes.commands.map((c: { command: string }) => c.command));
    const [walkthrough] = manifest.contributes.walkthroughs;
    assert.equal(walkthrough.title, 'Get started with RNN Lab');
    for (const step of walkthrough.steps as { id: string; description: string; media: { image: string } }[]) {
      const commands = [...step.description.matchAll(/\]\(command:([\w.]+)/g)].map((m) => m[1]);
      assert.ok(commands.length > 0, `${step.id} has a button`);
      for (const c of commands) assert.ok(ours.has(c), `${step.id}: ${c}`);
      assert.ok(fs.existsSync(path.join(root, step.media.image)), `${step.id}: ${step.media.image}`);
      assert.match(step.media.image, /^media\//, 'images ship in the VSIX (media/**)');
    }
  });
});
