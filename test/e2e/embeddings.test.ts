// The Embeddings panel as a user meets it in the packaged extension: a tiny word2vec run is trained
// first with the CLI on the generated capitals corpus; then "RNN Lab: Show Embeddings" opens its
// projection, a search selects a word and lists its nearest neighbours with cosines, the analogy
// box answers paris : rome :: seine : ?, the view turns to 3-D and to UMAP (in the panel's web
// worker), and "Show in Embeddings" selects the word at the editor's cursor. Screenshots (dark and
// light) go to test-results/e2e/.
import { strict as assert } from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { eventually, screenshotOnFailure, Workbench } from './workbench';

const repoRoot = path.resolve(__dirname, '../../..');

describe('e2e: the Embeddings panel', function () {
  this.timeout(300_000);
  let workbench: Workbench;
  const run = '20261126-000003-capitals';

  before(async () => {
    const workspace = process.env.RNNLAB_E2E_WORKSPACE;
    if (!workspace) throw new Error('RNNLAB_E2E_WORKSPACE is not set: run end-to-end tests with `node scripts/test.mjs e2e`');
    const corpus = path.join(workspace, 'capitals.txt');
    fs.writeFileSync(corpus, execFileSync(process.execPath, [path.join(repoRoot, 'scripts', 'corpora', 'capitals.mjs'), '--sentences', '4000'], { encoding: 'utf8' }));
    const config = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'rnnlab-e2e-config-')), 'embed.rnnconfig');
    fs.writeFileSync(config, fs.readFileSync(path.join(repoRoot, 'presets', 'word2vec-skipgram.rnnconfig'), 'utf8')
      .replace(/"train": ""/, `"train": ${JSON.stringify(corpus)}`).replace(/"embedding": \d+/, '"embedding": 24'));
    execFileSync(process.execPath, [path.join(repoRoot, 'dist', 'cli.js'), 'train', corpus, '--config', config, '--out', path.join(workspace, '.rnnlab', 'runs', run)],
      { stdio: 'ignore', timeout: 180_000 });
    workbench = await Workbench.open();
  });
  after(async () => { await workbench?.close(); });
  screenshotOnFailure(() => workbench);

  const panel = () => workbench.webviewFrame();
  const projected = (what: string) => panel().locator(`#projection-canvas[data-projected="${what}"]`).waitFor({ timeout: 90_000 });

  it('"RNN Lab: Show Embeddings" projects a run\'s words; a search lists a word\'s nearest neighbours with cosines', async () => {
    await workbench.runCommand('RNN Lab: Show Embeddings');
    await workbench.pickQuickItem(run);
    await projected('pca-2');
    const source = (await panel().locator('#embeddings-source').textContent()) ?? '';
    assert.match(source, /embed · 74 words of 24 dimensions/);
    await panel().locator('#search').fill('pasta');
    await panel().locator('#search').press('Enter');
    const neighbors = panel().locator('#neighbors li');
    await eventually('ten neighbours of pasta', async () => ((await neighbors.count()) === 10 ? true : undefined), 30_000);
    const rows = (await neighbors.allTextContents()).map((t) => t.trim());
    console.log(`e2e neighbours of pasta: ${rows.join('; ')}`);
    const italian = ['ciao', 'gondola', 'espresso', 'pizza', 'grazie'];
    assert.ok(rows.slice(0, 5).filter((r) => italian.some((w) => r.startsWith(w))).length >= 4, `the nearest words are Italy's cluster: ${rows}`);
    assert.match(rows[0], /^\w+\s*0\.\d{3}$/, 'each with its cosine');
    await workbench.setTheme('dark');
    await workbench.page.waitForTimeout(800);   // the canvas redraws with the theme's colours
    await workbench.screenshot('embeddings-01-neighbours-dark');
  });

  it('the analogy box answers paris : rome :: seine : ? with tiber', async () => {
    await panel().locator('#analogy-a').fill('paris');
    await panel().locator('#analogy-b').fill('rome');
    await panel().locator('#analogy-c').fill('seine');
    await panel().locator('#analogy-go').click();
    const answers = panel().locator('#analogy-answers li');
    await eventually('analogy answers', async () => ((await answers.count()) === 5 ? true : undefined), 30_000);
    const first = ((await answers.first().textContent()) ?? '').trim();
    assert.match(first, /^tiber/, `first answer: ${first}`);
    await workbench.setTheme('light');
    await workbench.page.waitForTimeout(800);
    await workbench.screenshot('embeddings-02-analogy-light');
  });

  it('3-D and UMAP (in the panel\'s web worker) project the same words', async () => {
    await panel().locator('#dimensions').selectOption('3');
    await projected('pca-3');
    await panel().locator('#projection').selectOption('umap');
    await projected('umap-3');
    const status = (await panel().locator('#embeddings-status').textContent()) ?? '';
    assert.match(status, /^UMAP of 74 words$/);
    await workbench.setTheme('dark');
    await workbench.page.waitForTimeout(800);
    await workbench.screenshot('embeddings-03-umap-3d-dark');
  });

  it('"Show in Embeddings" selects the word at the editor\'s cursor', async () => {
    await workbench.explorerRow('capitals.txt').dblclick();
    await eventually('capitals.txt in front', async () => ((await workbench.activeTabLabel()) === 'capitals.txt' ? true : undefined));
    const editor = workbench.page.locator('.editor-instance .view-lines').first();
    await editor.click({ position: { x: 5, y: 5 } });   // the start of the first line: its first word
    await workbench.page.keyboard.press('Home');
    const firstWord = fs.readFileSync(path.join(process.env.RNNLAB_E2E_WORKSPACE!, 'capitals.txt'), 'utf8').split(/\s/)[0];
    await workbench.runCommand('RNN Lab: Show in Embeddings');
    await eventually(`${firstWord} selected in the panel`, async () => {
      const text = (await panel().locator('#selected-word').textContent()) ?? '';
      return text.includes(`“${firstWord}”`) ? true : undefined;
    }, 30_000);
  });
});
