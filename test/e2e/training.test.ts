// Training as a user meets it in the packaged extension: right-click a sample text → "Train on This
// File" → a preset → the dashboard's loss falls → "Stop Training" → the run folder holds the model.
// Screenshots of the dashboard in the dark and the light theme go to test-results/e2e/.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { eventually, Workbench } from './workbench';

describe('e2e: training from the explorer', function () {
  this.timeout(300_000);
  let workbench: Workbench;

  before(async () => { workbench = await Workbench.open(); });
  after(async () => { await workbench?.close(); });

  const runsFolder = () => path.join(workbench.workspace, '.rnnlab', 'runs');
  const runDirs = () => (fs.existsSync(runsFolder()) ? fs.readdirSync(runsFolder()).map((n) => path.join(runsFolder(), n)) : []);
  const number = (text: string | null) => Number((text ?? '').trim().split(/\s/)[0]);

  it('trains corpus.txt with a preset and the dashboard shows the loss falling', async () => {
    await workbench.rightClickExplorer('corpus.txt', 'Train on This File');
    await eventually('the preset quick pick', async () => (/preset/i.test(await workbench.quickInputTitle()) ? true : undefined));
    await workbench.pickQuickItem('Character LSTM language model');
    assert.ok(fs.existsSync(path.join(workbench.workspace, 'corpus.rnnconfig')), 'the preset is written beside the file');

    const dashboard = workbench.webviewFrame();
    await dashboard.locator('#stat-step').waitFor({ state: 'visible', timeout: 60_000 });
    const [first, latest] = await eventually('a falling loss on the dashboard', async () => {
      const firstLoss = number(await dashboard.locator('#stat-first-loss').textContent());
      const loss = number(await dashboard.locator('#stat-loss').textContent());
      return Number.isFinite(firstLoss) && Number.isFinite(loss) && loss < 0.85 * firstLoss ? [firstLoss, loss] : undefined;
    }, 180_000);
    console.log(`e2e dashboard: loss ${first} → ${latest}, step ${await dashboard.locator('#stat-step').textContent()}`);
    assert.ok(latest < first);
    assert.equal((await dashboard.locator('#run-status').textContent())?.trim(), 'training');
    await workbench.screenshot('training-01-dashboard-dark');
  });

  it('shows the dashboard in the light theme too', async () => {
    await workbench.runCommand('Preferences: Color Theme');
    await workbench.pickQuickItem('Light Modern');
    await workbench.page.waitForTimeout(1500);   // charts rebuild with the new theme's colours
    await workbench.screenshot('training-02-dashboard-light');
    await workbench.runCommand('Preferences: Color Theme');
    await workbench.pickQuickItem('Dark Modern');
  });

  it('"Stop Training" stops the run and it keeps its model', async () => {
    await workbench.runCommand('RNN Lab: Stop Training');
    const dashboard = workbench.webviewFrame();
    await eventually('the dashboard says stopped', async () =>
      ((await dashboard.locator('#run-status').textContent())?.trim() === 'stopped' ? true : undefined), 60_000);
    const [runDir] = runDirs();
    assert.ok(runDir, `a run folder under ${runsFolder()}`);
    const kept = await eventually('model.onnx or checkpoint.bin in the run folder', async () =>
      ['model.onnx', 'checkpoint.bin'].filter((f) => fs.existsSync(path.join(runDir, f))).join(', ') || undefined, 30_000);
    console.log(`e2e run folder ${path.basename(runDir)} keeps: ${kept}`);
    assert.match(kept, /model\.onnx/);
    await workbench.screenshot('training-03-stopped');
  });
});
