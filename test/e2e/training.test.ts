// Training as a user meets it in the packaged extension: right-click a sample text → "Train on This
// File" → a preset → the dashboard's loss falls → "Stop Training" → the run folder holds the model.
// Screenshots of the dashboard in the dark and the light theme go to test-results/e2e/.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as jsonc from 'jsonc-parser';
import { eventually, Workbench } from './workbench';

describe('e2e: training from the explorer', function () {
  this.timeout(300_000);
  let workbench: Workbench;

  before(async () => {
    workbench = await Workbench.open();
    // the extension's contributions are in once its activity-bar container shows
    await workbench.page.getByRole('tab', { name: /^RNN Lab/ }).waitFor({ state: 'visible', timeout: 60_000 });
  });
  afterEach(async function () {
    if (this.currentTest?.state === 'failed') await workbench?.screenshot(`FAILED-training-${this.currentTest.title.replace(/\W+/g, '_').slice(0, 60)}`);
  });
  after(async () => { await workbench?.close(); });

  const runsFolder = () => path.join(workbench.workspace, '.rnnlab', 'runs');
  const runDirs = () => (fs.existsSync(runsFolder()) ? fs.readdirSync(runsFolder()).map((n) => path.join(runsFolder(), n)) : []);
  const readStatus = (runDir: string | undefined): string | undefined => {
    try { return runDir ? JSON.parse(fs.readFileSync(path.join(runDir, 'run.json'), 'utf8')).status : undefined; } catch { return undefined; }   // mid-rename
  };
  const number = (text: string | null) => Number((text ?? '').trim().split(/\s/)[0]);

  /** Clicks the quick-input row whose label starts with `label` (the focused row may be another match). */
  async function clickQuickRow(label: string): Promise<void> {
    const row = workbench.page.locator('.quick-input-widget .monaco-list-row', { hasText: new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`) }).first();
    await row.waitFor({ state: 'visible' });
    await row.click();
  }

  async function colorTheme(name: string): Promise<void> {
    await workbench.openPalette();
    await workbench.quickInput.fill('>Preferences: Color Theme');
    await clickQuickRow('Preferences: Color Theme');
    await workbench.quickInput.fill(name);
    await clickQuickRow(name);
    await workbench.page.waitForTimeout(1500);   // the charts rebuild with the theme's colours
  }

  it('trains corpus.txt with a preset and the dashboard shows the loss falling', async () => {
    await workbench.rightClickExplorer('corpus.txt', 'Train on This File');
    await eventually('the preset quick pick', async () => (/preset/i.test(await workbench.quickInputTitle()) ? true : undefined));
    await workbench.pickQuickItem('Character LSTM language model');
    await eventually('the preset written beside the file as corpus.rnnconfig', async () =>
      (fs.existsSync(path.join(workbench.workspace, 'corpus.rnnconfig')) ? true : undefined));

    const dashboard = workbench.webviewFrame();
    await dashboard.locator('#stat-step').waitFor({ state: 'visible', timeout: 60_000 });
    const [first, latest] = await eventually('a falling loss on the dashboard', async () => {
      const firstLoss = number(await dashboard.locator('#stat-first-loss').textContent());
      const loss = number(await dashboard.locator('#stat-loss').textContent());
      const step = number(await dashboard.locator('#stat-step').textContent());
      return step >= 30 && loss < 0.85 * firstLoss ? [firstLoss, loss] : undefined;
    }, 180_000);
    console.log(`e2e dashboard: loss ${first} → ${latest}, step ${await dashboard.locator('#stat-step').textContent()}`);
    assert.ok(latest < first);
    assert.equal((await dashboard.locator('#run-status').textContent())?.trim(), 'training');
  });

  it('shows the dashboard in the light and the dark theme', async () => {
    await colorTheme('Light Modern');
    await workbench.screenshot('training-01-dashboard-light');
    await colorTheme('Dark Modern');
    await workbench.screenshot('training-02-dashboard-dark');
    await workbench.webviewFrame().locator('#grad-heat').scrollIntoViewIfNeeded();
    await workbench.page.waitForTimeout(500);
    await workbench.screenshot('training-03-gradients-dark');
    await workbench.webviewFrame().locator('#stat-step').scrollIntoViewIfNeeded();
    await colorTheme('Light Modern');
  });

  it('"Stop Training" stops the run and it keeps its model', async () => {
    // The preset's 500 steps may be over by now (a few seconds on a quiet machine): a run of its own
    // that cannot end first, long.txt with long.rnnconfig beside it (the file's own config wins).
    const [presetRun] = runDirs();
    await eventually('the preset run ended', async () => (readStatus(presetRun) !== 'training' ? true : undefined), 180_000);
    fs.copyFileSync(path.join(workbench.workspace, 'corpus.txt'), path.join(workbench.workspace, 'long.txt'));
    const preset = jsonc.parse(fs.readFileSync(path.join(workbench.workspace, 'corpus.rnnconfig'), 'utf8'));
    fs.writeFileSync(path.join(workbench.workspace, 'long.rnnconfig'),
      JSON.stringify({ ...preset, data: { ...preset.data, train: 'long.txt' }, training: { ...preset.training, steps: 1_000_000 } }, null, 2));
    await workbench.rightClickExplorer('long.txt', 'Train on This File');
    const runDir = await eventually('the long run training', async () =>
      runDirs().find((d) => d.endsWith('-long') && readStatus(d) === 'training'), 60_000);
    const dashboard = workbench.webviewFrame();
    await eventually('its dashboard training', async () =>
      ((await dashboard.locator('#run-status').textContent())?.trim() === 'training' && number(await dashboard.locator('#stat-step').textContent()) > 0 ? true : undefined), 60_000);
    await workbench.runCommand('RNN Lab: Stop Training');
    await eventually('the dashboard says stopped', async () =>
      ((await dashboard.locator('#run-status').textContent())?.trim() === 'stopped' ? true : undefined), 60_000);
    const kept = await eventually('model.onnx or checkpoint.bin in the run folder', async () =>
      ['model.onnx', 'checkpoint.bin'].filter((f) => fs.existsSync(path.join(runDir, f))).join(', ') || undefined, 30_000);
    console.log(`e2e run folder ${path.basename(runDir)} keeps: ${kept}`);
    assert.match(kept, /model\.onnx/);
    await workbench.page.getByRole('tab', { name: /^RNN Lab/ }).click();
    const row = workbench.page.getByRole('treeitem', { name: new RegExp(`^${path.basename(runDir)}`) });
    await row.waitFor({ state: 'visible', timeout: 20_000 });
    assert.match((await row.getAttribute('aria-label')) ?? '', /stopped/);
    await workbench.screenshot('training-04-runs-view');
  });
});
