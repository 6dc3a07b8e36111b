// Sampling, predictions and inline labels as a user meets them in the packaged extension: two small
// models are trained first with the CLI into the workspace's runs folder (a char LM on corpus.txt, a
// tagger on names.tsv); then "RNN Lab: Sample from Model…" streams text into the Samples panel,
// "RNN Lab: Show Token Predictions" shows probabilities for the open file, and "RNN Lab: Label Tokens
// in Editor" tags the notes' example. Screenshots (dark and light) go to test-results/e2e/.
import { strict as assert } from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { eventually, screenshotOnFailure, Workbench } from './workbench';

const repoRoot = path.resolve(__dirname, '../../..');
const example = 'Harry Potter and Hermione Granger invented a new spell';

/** Trains `data` with a preset (hidden size and steps changed) into `runDir` with the repository's CLI. */
function trainWithCli(preset: string, data: string, runDir: string, hidden: number, steps: number): void {
  const config = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'rnnlab-e2e-config-')), preset);
  const text = fs.readFileSync(path.join(repoRoot, 'presets', preset), 'utf8')
    .replace(/"train": ""/, `"train": ${JSON.stringify(data)}`).replace(/"hidden": \d+/, `"hidden": ${hidden}`);
  fs.writeFileSync(config, text);
  execFileSync(process.execPath, [path.join(repoRoot, 'dist', 'cli.js'), 'train', data, '--config', config, '--out', runDir, '--steps', String(steps)],
    { stdio: 'ignore', timeout: 180_000 });
}

describe('e2e: sampling, predictions and token labels', function () {
  this.timeout(300_000);
  let workbench: Workbench;
  const lmRun = '20261126-000001-corpus';
  const tagRun = '20261126-000002-names';

  before(async () => {
    const workspace = process.env.RNNLAB_E2E_WORKSPACE;
    if (!workspace) throw new Error('RNNLAB_E2E_WORKSPACE is not set: run end-to-end tests with `node scripts/test.mjs e2e`');
    const runs = path.join(workspace, '.rnnlab', 'runs');
    trainWithCli('char-lstm-lm.rnnconfig', path.join(workspace, 'corpus.txt'), path.join(runs, lmRun), 64, 300);
    trainWithCli('bilstm-tagger.rnnconfig', path.join(workspace, 'names.tsv'), path.join(runs, tagRun), 32, 150);
    fs.writeFileSync(path.join(workspace, 'example.txt'), `${example}\nThe spell was cast by Ron Weasley and Ginny Lovegood.\n`);
    workbench = await Workbench.open();
  });
  after(async () => { await workbench?.close(); });
  screenshotOnFailure(() => workbench);

  const setTheme = async (name: string) => {
    // Focus back in the workbench (after a click in a webview, keys stay in its iframe): the explorer's empty space.
    await workbench.page.locator('.explorer-folders-view').click({ position: { x: 120, y: 400 } });
    await workbench.page.keyboard.press('Control+K');
    await workbench.page.keyboard.press('Control+T');     // Preferences: Color Theme
    await workbench.pickQuickItem(name);
    await workbench.page.waitForTimeout(1500);              // webviews repaint with the new theme's variables
  };

  const openFile = async (name: string) => {
    await workbench.explorerRow(name).dblclick();
    await eventually(`${name} in front`, async () => ((await workbench.activeTabLabel()) === name ? true : undefined));
  };

  it('"RNN Lab: Sample from Model…" streams text into the Samples panel', async () => {
    await workbench.runCommand('RNN Lab: Sample from Model…');
    await workbench.pickQuickItem(lmRun);
    const panel = workbench.webviewFrame();
    const sample = panel.locator('.sample').first();
    await sample.waitFor({ state: 'visible', timeout: 60_000 });
    const text = await eventually('a finished sample', async () => {
      const status = (await sample.locator('.sample-status').textContent()) ?? '';
      return /^\d+ tokens$/.test(status.trim()) ? (await sample.locator('.generated').textContent()) ?? '' : undefined;
    }, 60_000);
    console.log(`e2e sample: ${JSON.stringify(text.slice(0, 80))}…`);
    assert.equal([...text].length, 200, 'the default length');

    // A longer one, watched while it streams: the text grows before the sample is done. A
    // MutationObserver in the webview sees every render (polling from here can miss a fast stream).
    await panel.locator('#setting-length').fill('3000');
    await panel.locator('#setting-length').dispatchEvent('change');
    await panel.locator('body').evaluate((body: any) => {
      const g = globalThis as any;
      g.rnnLabPartialLengths = [] as number[];
      new g.MutationObserver(() => {
        const latest = body.querySelector('.sample');
        const status = (latest?.querySelector('.sample-status')?.textContent ?? '').trim();
        if (status.endsWith('…')) g.rnnLabPartialLengths.push(latest.querySelector('.generated')?.textContent?.length ?? 0);
      }).observe(body, { subtree: true, childList: true, characterData: true });
    });
    await panel.locator('#generate').click();
    await eventually('the long sample done', async () => {
      const status = ((await panel.locator('.sample').first().locator('.sample-status').textContent()) ?? '').trim();
      return status === '3000 tokens' ? true : undefined;
    }, 120_000);
    const seen = new Set<number>(await panel.locator('body').evaluate(() => (globalThis as any).rnnLabPartialLengths as number[]));
    console.log(`e2e sample: ${seen.size} partial lengths seen while streaming: ${[...seen].slice(0, 8).join(', ')}`);
    await setTheme('Dark Modern');
    await workbench.screenshot('inference-01-samples-dark');
    await setTheme('Light Modern');
    await workbench.screenshot('inference-02-samples-light');
    assert.ok(seen.size >= 1, 'the panel showed the text before it was complete');
  });

  it('"RNN Lab: Show Token Predictions" shows probabilities for the open file', async () => {
    await workbench.runCommand('View: Close All Editors');
    await openFile('corpus.txt');
    await workbench.runCommand('RNN Lab: Show Token Predictions');
    await workbench.pickQuickItem(lmRun);
    const panel = workbench.webviewFrame();
    await panel.locator('#token-strip .tok').first().waitFor({ state: 'visible', timeout: 60_000 });
    const meta = (await panel.locator('#predictions-meta').textContent()) ?? '';
    assert.match(meta, /corpus\.txt · 20261126-000001-corpus · lm lstm · 1000 tokens \(first ones only\)/);
    await panel.locator('#token-strip .tok').nth(5).click();
    const details = (await panel.locator('#token-details').textContent()) ?? '';
    assert.match(details, /p\(token \| text before\) = [\d.]+%/);
    assert.ok(await panel.locator('#token-details .bar-row').count() === 5, 'top-5 bars');
    await panel.locator('#heat-map').waitFor({ state: 'visible' });
    await workbench.screenshot('inference-04-predictions-light');
    await setTheme('Dark Modern');
    await workbench.screenshot('inference-03-predictions-dark');
    await panel.locator('#heat-series').selectOption('gate:f');   // the LSTM's forget gate over the tokens
    await panel.locator('#heat-section').scrollIntoViewIfNeeded();
    assert.match((await panel.locator('#heat-info').textContent()) ?? '', /^64 units × 1000 tokens · gate value 0 → 1/);
    await workbench.screenshot('inference-07-heatmap-dark');
    await setTheme('Light Modern');
  });

  it('"RNN Lab: Label Tokens in Editor" tags the names of the notes\' example', async () => {
    await workbench.runCommand('View: Close All Editors');
    await openFile('example.txt');
    await workbench.runCommand('RNN Lab: Label Tokens in Editor');
    await workbench.pickQuickItem(tagRun);
    const status = workbench.page.locator('.statusbar-item', { hasText: 'token labels' });
    await status.waitFor({ state: 'visible', timeout: 60_000 });
    // The names are coloured by a decoration: spans in the editor's view lines with their own class.
    const colorOf = (text: RegExp) => workbench.page.locator('.view-line span', { hasText: text }).last()
      .evaluate((e: unknown) => String((globalThis as any).getComputedStyle(e).color));   // runs in the page (no DOM lib here)
    // Spaces render as no-break spaces in view lines; decorations render a moment after the status bar.
    const [harryColor, plainColor] = await eventually('"Harry" in its label colour, "and" plain', async () => {
      const colors = await Promise.all([colorOf(/^Harry$/), colorOf(/^[\s\u00a0]*and[\s\u00a0]*$/)]);
      return colors[0] !== colors[1] ? colors : undefined;
    });
    console.log(`e2e labels: "Harry" ${harryColor}, "and" ${plainColor}`);
    await workbench.screenshot('inference-06-labels-light');
    await setTheme('Dark Modern');
    await workbench.screenshot('inference-05-labels-dark');
  });

  it('labels corpus.txt with the language model\'s surprisal, with the model remembered for that file', async () => {
    await workbench.runCommand('View: Close All Editors');
    await openFile('corpus.txt');
    await workbench.runCommand('RNN Lab: Label Tokens in Editor');   // no quick pick: Show Token Predictions used the lm here
    await workbench.page.locator('.statusbar-item', { hasText: 'surprisal' }).waitFor({ state: 'visible', timeout: 60_000 });
    await workbench.page.waitForTimeout(500);
    await workbench.screenshot('inference-08-surprisal-dark');
  });
});
