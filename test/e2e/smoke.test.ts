// The packaged extension as a user meets it: installed from the VSIX into code-server, driven through
// the explorer's context menu, the command palette, and the form editor's webview.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { eventually, screenshotOnFailure, Workbench } from './workbench';

describe('e2e: the packaged extension in code-server', () => {
  let workbench: Workbench;

  before(async () => { workbench = await Workbench.open(); });
  after(async () => { await workbench?.close(); });
  screenshotOnFailure(() => workbench);

  it('shows the RNN Lab container in the activity bar', async () => {
    await workbench.page.getByRole('tab', { name: /^RNN Lab/ }).waitFor({ state: 'visible' });
    await workbench.screenshot('smoke-01-workbench');
  });

  it('answers "Train on This File" from the explorer context menu of a text file', async () => {
    await workbench.rightClickExplorer('corpus.txt', 'Train on This File');
    // With no .rnnconfig in the workspace yet, training asks for a preset (or says what is missing).
    const answer = await eventually('a quick pick or an RNN Lab notification', async () => {
      if (await workbench.quickInput.isVisible()) return `quick pick: ${await workbench.quickInputTitle()}`;
      return (await workbench.notifications()).find((text) => text.includes('RNN Lab'));
    });
    await workbench.screenshot('smoke-02-train-on-file');
    assert.ok(answer);
    await workbench.page.keyboard.press('Escape');
  });

  it('creates a config from the palette and opens it in the form editor webview', async () => {
    await workbench.runCommand('RNN Lab: New RNN Config…');
    await workbench.pickQuickItem('Character LSTM');
    await workbench.answerInput('e2e-smoke');
    await workbench.pickQuickItem('corpus.txt');

    const file = path.join(workbench.workspace, 'e2e-smoke.rnnconfig');
    const text = await eventually('e2e-smoke.rnnconfig on disk', async () =>
      (fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined));
    assert.match(text, /"train":\s*"corpus\.txt"/);
    assert.match(text, /"cell":\s*"lstm"/);

    const form = workbench.webviewFrame();
    await form.locator('h2').first().waitFor({ state: 'visible', timeout: 30_000 });
    const headings = await form.locator('h2').allTextContents();
    const formText = await form.locator('body').innerText();
    await workbench.screenshot('smoke-03-config-form');
    assert.ok(headings.length >= 2, `expected the form's field groups as headings, got ${JSON.stringify(headings)}`);
    assert.ok(formText.includes('e2e-smoke.rnnconfig'), `the form does not name its file; it shows: ${formText.slice(0, 200)}`);
    assert.equal(await workbench.activeTabLabel(), 'e2e-smoke.rnnconfig');
  });

  it('follows the theme: the form editor in dark and in light', async () => {
    for (const kind of ['dark', 'light'] as const) {
      await workbench.setTheme(kind);
      const background = await workbench.webviewFrame()
        // Runs in the webview; this project compiles without DOM types, hence globalThis.
        .locator('body').evaluate((body) => (globalThis as any).getComputedStyle(body).backgroundColor as string);
      await workbench.screenshot(`smoke-04-config-form-${kind}`);
      const [r, g, b] = (background.match(/\d+/g) ?? []).map(Number);
      const luminance = (r + g + b) / 3;
      assert.ok(kind === 'dark' ? luminance < 80 : luminance > 175, `${kind} theme: the webview background is ${background}`);
    }
  });
});
