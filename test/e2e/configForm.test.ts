// The form editor as a user meets it: open a .rnnconfig from the explorer (the form is its default
// editor), change the cell type in the form, save, reopen as text and see the change. Screenshots
// of the form in the light and dark themes go to test-results/e2e (the README uses them).
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { eventually, screenshotOnFailure, Workbench } from './workbench';

const presetPath = path.resolve(__dirname, '../../../presets/char-lstm-lm.rnnconfig');

describe('e2e: the .rnnconfig form editor', () => {
  let workbench: Workbench;
  let file: string;
  let original: string;

  before(async () => {
    // Written before the workbench opens: the explorer lists it at once (its file watcher is slow).
    file = path.join(process.env.RNNLAB_E2E_WORKSPACE ?? '.', 'form-e2e.rnnconfig');
    original = fs.readFileSync(presetPath, 'utf8').replace('"train": "",', '"train": "corpus.txt",');
    fs.writeFileSync(file, original);
    workbench = await Workbench.open();
  });
  after(async () => { await workbench?.close(); });
  screenshotOnFailure(() => workbench);

  const form = () => workbench.webviewFrame();
  const field = (key: string) => form().locator(`.field[data-key="${key}"]`);

  it('opens a .rnnconfig from the explorer in the form, grouped, with descriptions', async () => {
    // The custom editor is known once the extension's contributions are: the RNN Lab container shows.
    await workbench.page.getByRole('tab', { name: /^RNN Lab/ }).waitFor({ state: 'visible', timeout: 60_000 });
    const row = workbench.explorerRow('form-e2e.rnnconfig');
    await eventually('form-e2e.rnnconfig in the explorer', async () => ((await row.isVisible()) ? true : undefined), 30_000);
    await row.dblclick();
    await field('model.cell').waitFor({ state: 'visible', timeout: 30_000 });
    assert.deepEqual(await form().locator('h2').allTextContents(), ['Task and data', 'Model', 'Training', 'Sampling']);
    assert.match(await field('model.cell').locator('.description').textContent() ?? '', /recurrent cell/);
    assert.equal(await field('model.peephole').isVisible(), true);       // lstm
    assert.equal(await field('model.resetAfter').isVisible(), false);    // gru only
  });

  it('changes the cell type in the form: the text changes, the gru fields appear', async () => {
    // Open the dropdown with a click, move from lstm up to gru and choose it, as a keyboard user would.
    await field('model.cell').locator('vscode-dropdown').click();
    await workbench.page.keyboard.press('ArrowUp');
    await workbench.page.keyboard.press('Enter');
    await field('model.resetAfter').waitFor({ state: 'visible' });
    assert.equal(await field('model.peephole').isVisible(), false);
    await workbench.page.locator('.tabs-container .tab.active.dirty').waitFor({ state: 'visible' });
    await form().locator('h2', { hasText: 'Model' }).evaluate((h) => h.scrollIntoView());
    await workbench.screenshot('config-form-light');
  });

  it('saves, and the file on disk differs only in the cell', async () => {
    await workbench.page.keyboard.press('Control+S');   // from the form: webviews pass the keybinding on
    const saved = await eventually('the saved file', async () => {
      const text = fs.readFileSync(file, 'utf8');
      return text.includes('"cell": "gru"') ? text : undefined;
    });
    assert.equal(saved, original.replace('"cell": "lstm",', '"cell": "gru",'));
  });

  it('reopens as text and shows the change', async () => {
    await form().locator('vscode-button[data-action="openText"]').click();
    const lines = workbench.page.locator('.editor-instance .monaco-editor .view-lines').first();
    const text = await eventually('the text editor showing "cell": "gru"', async () => {
      if (!(await lines.isVisible())) return undefined;
      const t = ((await lines.textContent()) ?? '').replace(/\u00a0/g, ' ');
      return t.includes('"cell": "gru"') ? t : undefined;
    });
    assert.match(text, /"cell": "gru"/);
    await workbench.page.locator('.codelens-decoration a', { hasText: 'Train with This Config' }).waitFor({ state: 'visible', timeout: 20_000 });
    await workbench.screenshot('config-text-with-code-lens');
  });

  it('looks right in the dark theme too', async () => {
    await workbench.page.keyboard.press('Control+K');
    await workbench.page.keyboard.press('Control+T');     // Preferences: Color Theme
    await workbench.pickQuickItem('Dark Modern');
    await workbench.page.locator('.codelens-decoration a', { hasText: 'Open in Form' }).click();
    await field('model.cell').waitFor({ state: 'visible', timeout: 30_000 });
    assert.equal(await form().locator('.field[data-key="model.cell"] vscode-dropdown').evaluate((d) => (d as unknown as { value: string }).value), 'gru');
    await form().locator('h2', { hasText: 'Model' }).evaluate((h) => h.scrollIntoView());
    await workbench.page.waitForTimeout(500);
    await workbench.screenshot('config-form-dark');
  });
});
