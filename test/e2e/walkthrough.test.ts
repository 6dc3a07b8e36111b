// The first hour of a newcomer (issue 17), through the UI of the packaged extension: "Welcome: Open
// Walkthrough…" → "Get started with RNN Lab", then its steps done through their buttons: the samples
// are copied into the workspace, a character LM trains and its dashboard shows the loss falling, and
// the "See it vanish" pair trains into one dashboard whose two gradient charts show the vanilla RNN's
// gradient vanishing and the LSTM's not. Screenshots go to test-results/e2e/ (README's come from here).
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { eventually, screenshotOnFailure, Workbench } from './workbench';

describe('e2e: the walkthrough', function () {
  this.timeout(600_000);
  let workbench: Workbench;

  before(async () => {
    workbench = await Workbench.open();
    workbench.page.on('console', (m) => { if (m.type() === 'error' && /dashboard|webview/i.test(m.text())) console.log(`e2e walkthrough: console error: ${m.text().slice(0, 300)}`); });
    workbench.page.on('pageerror', (e) => console.log(`e2e walkthrough: page error: ${(e.stack ?? e.message).slice(0, 600)}`));
    await workbench.page.getByRole('tab', { name: /^RNN Lab/ }).waitFor({ state: 'visible', timeout: 60_000 });
  });
  screenshotOnFailure(() => workbench);
  after(async () => { await workbench?.close(); });

  const samples = () => path.join(workbench.workspace, 'rnn-lab-samples');
  const runsFolder = () => path.join(workbench.workspace, '.rnnlab', 'runs');
  const runDirs = () => (fs.existsSync(runsFolder()) ? fs.readdirSync(runsFolder()).sort().map((n) => path.join(runsFolder(), n)) : []);
  const number = (text: string | null) => Number((text ?? '').trim().split(/\s/)[0]);
  const walkthrough = () => workbench.page.locator('.gettingStartedContainer');

  /** A step's button (its accessible name starts with its checkbox's, so it is found by its step id). */
  const stepButton = (id: string) => walkthrough().locator(`button.getting-started-step[data-step-id$="${id}"]`);

  /** Back to the walkthrough's editor tab (a dashboard opened in front of it) and expands a step. */
  async function step(id: string): Promise<void> {
    await eventually(`the walkthrough step "${id}"`, async () => {
      if (!(await walkthrough().isVisible())) await workbench.page.locator('.tabs-container .tab', { hasText: /Walkthrough/ }).first().click();
      const button = stepButton(id);
      if ((await button.getAttribute('aria-expanded', { timeout: 5_000 })) !== 'true') await button.click({ timeout: 5_000 });
      return true;
    }, 60_000);
  }

  /** Clicks a button (a command link) inside the expanded step. */
  async function press(label: string): Promise<void> {
    const link = walkthrough().getByRole('button', { name: label, exact: true }).first();
    await link.waitFor({ state: 'visible', timeout: 20_000 });
    await link.click();
  }

  it('opens through "Welcome: Open Walkthrough…"', async () => {
    await eventually('the Open Walkthrough command', async () => {
      await workbench.openPalette();
      await workbench.quickInput.fill('>Welcome: Open Walkthrough');
      const row = workbench.page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Open Walkthrough' }).first();
      try {
        await row.waitFor({ state: 'visible', timeout: 3_000 });
        await row.click();
      } catch (e) {
        await workbench.page.keyboard.press('Escape');
        throw e;
      }
      return true;
    }, 30_000);
    await workbench.pickQuickItem('Get started with RNN Lab');
    await walkthrough().getByText('Get started with RNN Lab').first().waitFor({ state: 'visible', timeout: 30_000 });
    await stepButton('openSamples').waitFor({ state: 'visible' });
    assert.equal(await walkthrough().locator('button.getting-started-step').count(), 8, 'eight steps');
  });

  it('step 1: "Open the Samples" copies the samples into the workspace and opens corpus.txt', async () => {
    await step('openSamples');
    await press('Open the Samples');
    await eventually('rnn-lab-samples/ with the configs beside the data', async () =>
      (['corpus.txt', 'corpus.rnnconfig', 'long-memory.tsv', 'vanish-rnn.rnnconfig', 'vanish-lstm.rnnconfig', 'people.txt']
        .every((f) => fs.existsSync(path.join(samples(), f))) ? true : undefined));
    await workbench.page.locator('.tabs-container .tab', { hasText: 'corpus.txt' }).first().waitFor({ state: 'visible', timeout: 30_000 });
    await workbench.screenshot('walkthrough-01-samples');
  });

  it('step 2: "Train corpus.rnnconfig" trains a character LM; step 3: "Open Training Dashboard" shows the loss falling', async () => {
    await step('trainCharLm');
    await press('Train corpus.rnnconfig');
    await eventually('a run of corpus.rnnconfig', async () => (runDirs().some((d) => d.endsWith('-corpus')) ? true : undefined), 60_000);
    await step('watch');
    await press('Open Training Dashboard');
    const dashboard = workbench.webviewFrame();
    await dashboard.locator('#stat-step').waitFor({ state: 'visible', timeout: 90_000 });
    const [first, latest] = await eventually('a falling loss on the dashboard', async () => {
      const firstLoss = number(await dashboard.locator('#stat-first-loss').textContent());
      const loss = number(await dashboard.locator('#stat-loss').textContent());
      const step = number(await dashboard.locator('#stat-step').textContent());
      return step >= 30 && loss < 0.85 * firstLoss ? [firstLoss, loss] : undefined;
    }, 240_000);
    console.log(`e2e walkthrough: char LM loss ${first} → ${latest}`);
    // the tooltip of the loss card says the formula and a healthy value
    const tip = dashboard.locator('.stat', { hasText: 'Loss (smoothed)' }).locator('.tip');
    assert.match(await tip.getAttribute('data-tip') ?? '', /cross-entropy[\s\S]*Healthy: falling/);
    await tip.focus();
    await workbench.page.waitForTimeout(300);
    await workbench.screenshot('walkthrough-02-dashboard-tooltip');
    // The sample's 500 steps can end before this line when the dashboard was slow to show a falling
    // loss; then the palette rightly hides Stop Training (it shows only while a run trains).
    const status = async () => (await dashboard.locator('#run-status').textContent())?.trim();
    const stopped = await workbench.runCommand('RNN Lab: Stop Training').then(() => true, async (e: Error) => {
      if (await status() === 'finished') return false;
      throw e;
    });
    const expected = stopped ? 'stopped' : 'finished';
    await eventually(`the char LM ${expected}`, async () => (await status() === expected ? true : undefined), 60_000);
  });

  it('step 4: "Train the Vanishing Pair" shows the RNN\'s gradient vanishing beside the LSTM\'s', async () => {
    // the dashboard gets the whole editor area: close corpus.txt, which step 1 opened beside the walkthrough
    const corpusTab = workbench.page.locator('.tabs-container .tab', { hasText: 'corpus.txt' }).first();
    await corpusTab.hover();
    await corpusTab.locator('.codicon-close').click();
    await corpusTab.waitFor({ state: 'detached', timeout: 10_000 });
    await step('vanish');
    await press('Train the Vanishing Pair');
    await eventually('the two runs', async () => (runDirs().filter((d) => /-vanish-(rnn|lstm)$/.test(d)).length === 2 ? true : undefined), 60_000);
    const dashboard = workbench.webviewFrame();
    try {
      await dashboard.locator('#grad-compare').waitFor({ state: 'visible', timeout: 120_000 });
    } catch (e) {
      console.log(`e2e walkthrough: #grad-compare ${await dashboard.locator('#grad-compare').evaluate((n) => `hidden=${(n as { hidden: boolean }).hidden}`).catch((x) => String(x))}; ` +
        `chips: ${await dashboard.locator('#overlay-chips').textContent().catch(() => '?')}; grad chart: ${await dashboard.locator('#grad-chart').getAttribute('aria-label').catch(() => '?')}`);
      throw e;
    }
    assert.match(await dashboard.locator('#grad-compare-title').textContent() ?? '', /vanish-lstm/);
    assert.match(await dashboard.locator('h1').textContent() ?? '', /vanish-rnn/);
    // The charts' text alternatives carry the ratio ‖∂L/∂a<1>‖ / ‖∂L/∂a<T>‖, as a geometric mean over the
    // windows drawn (one window's ratio moves by decades from step to step).
    const ratio = async (id: string) => {
      const label = await dashboard.locator(id).getAttribute('aria-label') ?? '';
      const m = /over the \d+ windows drawn (-?\d+(?:\.\d+)?(?:e-?\d+)?)/.exec(label);
      return m ? Number(m[1]) : undefined;
    };
    const finished = async () => runDirs().filter((d) => /-vanish-(rnn|lstm)$/.test(d))
      .every((d) => /"status":\s*"(finished|stopped)"/.test(fs.existsSync(path.join(d, 'run.json')) ? fs.readFileSync(path.join(d, 'run.json'), 'utf8') : ''));
    const [rnn, lstm] = await eventually('both runs finished and their gradients drawn', async () => {
      if (!(await finished())) return undefined;
      const r = await ratio('#grad-chart'), l = await ratio('#grad-compare-chart');
      return r !== undefined && l !== undefined ? [r, l] : undefined;
    }, 420_000);
    console.log(`e2e walkthrough: gradient ratio first/last: vanish-rnn ${rnn}, vanish-lstm ${lstm}`);
    assert.ok(rnn < 1e-4, `the RNN's gradient vanishes: ${rnn}`);
    assert.ok(lstm > 1e-5 && lstm > 100 * rnn, `the LSTM's does not: ${lstm} (RNN ${rnn})`);
    for (const id of ['#grad-ratio', '#grad-compare-ratio']) {
      assert.match(await dashboard.locator(id).textContent() ?? '', /‖∂L\/∂a⟨1⟩‖ \/ ‖∂L\/∂a⟨96⟩‖ = \d/, `${id} shows the ratio under its chart`);
    }
    // the charts are drawn (uPlot's canvases hold pixels), not only their text alternatives
    const drawn = await dashboard.locator('#grad-chart canvas, #grad-compare-chart canvas').evaluateAll((canvases) =>
      canvases.map((c) => { const e = c as unknown as { width: number; height: number }; return e.width * e.height; }));
    assert.ok(drawn.length === 2 && drawn.every((area) => area > 200 * 100), `two chart canvases: ${drawn}`);
    await dashboard.locator('#grad-card').scrollIntoViewIfNeeded();
    await workbench.page.waitForTimeout(800);
    await workbench.screenshot('walkthrough-03-vanishing-gradient');
    await dashboard.locator('#grad-card').screenshot({ path: await workbench.screenshot('walkthrough-03b-vanishing-gradient-card') });
  });

  it('step 7: the config form names every field by its label (accessibility)', async () => {
    await step('config');
    await press('Open corpus.rnnconfig');
    const form = workbench.webviewFrame();
    await form.locator('.field[data-key="model.hidden"]').waitFor({ state: 'visible', timeout: 60_000 });
    const field = (key: string) => form.locator(`.field[data-key="${key}"]`);
    for (const [key, role, name] of [['model.hidden', 'textbox', 'Hidden'], ['training.learningRate', 'textbox', 'Learning rate'],
      ['model.cell', 'combobox', 'Cell'], ['model.peephole', 'checkbox', 'Peephole']] as const) {
      const found = await field(key).getByRole(role, { name, exact: true }).count();
      if (found !== 1) console.log(`e2e walkthrough: ${key}'s accessibility tree:\n${await field(key).ariaSnapshot()}`);
      assert.equal(found, 1, `${key}: one ${role} named "${name}"`);
    }
    await workbench.screenshot('walkthrough-04-config-form');
  });
});
