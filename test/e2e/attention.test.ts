// seq2seq as a user meets it in the packaged extension: right-click samples' dates.tsv → "Train on
// This File" trains the date preset (the test's own copy beside it, dates.rnnconfig, with fewer steps),
// then on dates-heldout.tsv (dates training never saw) "RNN Lab: Show Attention" opens the Attention
// panel for the line at the cursor: the output, the beam's candidates and the heat map, whose year rows
// peak on the source's year; it follows the cursor to another line; "Label Tokens in Editor" puts each
// line's output after it. Screenshots (light and dark) go to test-results/e2e/.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { eventually, screenshotOnFailure, Workbench } from './workbench';

const repoRoot = path.resolve(__dirname, '../../..');
/** Enough for the preset to align the year (its own 600 steps reach ~100% exact match; this is the e2e's budget). */
const STEPS = 200;

/** The heat map's row i, as its cells' accessible names say: "output “1” (1) ← source “9” (22): 0.912". */
const weightOf = (label: string) => Number(/: ([\d.]+)$/.exec(label)?.[1]);

describe('e2e: seq2seq, Show Attention', function () {
  this.timeout(600_000);
  let workbench: Workbench;

  before(async () => {
    const workspace = process.env.RNNLAB_E2E_WORKSPACE;
    if (!workspace) throw new Error('RNNLAB_E2E_WORKSPACE is not set: run end-to-end tests with `node scripts/test.mjs e2e`');
    const preset = fs.readFileSync(path.join(repoRoot, 'presets', 'gru-attention-seq2seq.rnnconfig'), 'utf8');
    const config = preset.replace(/"steps": \d+/, `"steps": ${STEPS}`).replace(/"checkpointEvery": \d+/, '"checkpointEvery": 100');
    assert.notEqual(config, preset);
    fs.writeFileSync(path.join(workspace, 'dates.rnnconfig'), config);
    workbench = await Workbench.open();
    await workbench.page.getByRole('tab', { name: /^RNN Lab/ }).waitFor({ state: 'visible', timeout: 60_000 });
  });
  after(async () => { await workbench?.close(); });
  screenshotOnFailure(() => workbench);

  const runsFolder = () => path.join(workbench.workspace, '.rnnlab', 'runs');

  const goToLine = async (line: number) => {
    await workbench.page.keyboard.press('Control+G');
    await workbench.quickInput.waitFor({ state: 'visible' });
    await workbench.quickInput.fill(`:${line}`);
    await workbench.page.keyboard.press('Enter');
  };

  it('trains the date preset on dates.tsv from the explorer', async () => {
    await workbench.rightClickExplorer('dates.tsv', 'Train on This File');
    const run = await eventually('a finished seq2seq run', async () => {
      const dirs = fs.existsSync(runsFolder()) ? fs.readdirSync(runsFolder()) : [];
      const done = dirs.find((d) => {
        const file = path.join(runsFolder(), d, 'run.json');
        return fs.existsSync(file) && JSON.parse(fs.readFileSync(file, 'utf8')).status === 'finished';
      });
      return done;
    }, 480_000);
    const dir = path.join(runsFolder(), run);
    for (const f of ['encoder.onnx', 'decoder.onnx']) assert.ok(fs.existsSync(path.join(dir, f)), f);
    const last = fs.readFileSync(path.join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((m) => m.valExactMatch !== undefined).pop();
    console.log(`e2e seq2seq: ${run} at step ${last.step}: valExactMatch ${last.valExactMatch}, valBleu ${last.valBleu}`);
    assert.equal(last.step, STEPS);
  });

  it('"RNN Lab: Show Attention" shows the output, the beam and a heat map whose year rows peak on the source\'s year; it follows the cursor', async () => {
    await workbench.runCommand('View: Close All Editors');
    await workbench.explorerRow('dates-heldout.tsv').dblclick();
    await eventually('dates-heldout.tsv in front', async () => ((await workbench.activeTabLabel()) === 'dates-heldout.tsv' ? true : undefined));
    await goToLine(5);   // "friday, december 13, 1974	1974-12-13"
    await workbench.runCommand('RNN Lab: Show Attention');
    await workbench.pickQuickItem('dates');
    const panel = workbench.webviewFrame();
    await panel.locator('#attention-map td.cell').first().waitFor({ state: 'visible', timeout: 90_000 });
    assert.equal((await panel.locator('#attention-source').textContent())?.trim(), 'friday, december 13, 1974');
    const output = (await panel.locator('#attention-output').textContent())?.trim() ?? '';
    console.log(`e2e attention: "friday, december 13, 1974" → "${output}"`);
    assert.match(output, /^1974-/, 'the year comes out right');
    assert.ok(await panel.locator('#attention-candidates tr').count() >= 2, 'the beam\'s candidates');

    // Rows 1-4 (the year's digits) peak on the source's "1974" (characters 22-25).
    const source = 'friday, december 13, 1974';
    const yearAt = source.indexOf('1974');
    for (let i = 0; i < 4; i++) {
      const labels = await panel.locator(`#attention-map tbody tr:nth-child(${i + 1}) td.cell`).evaluateAll((cells) => cells.map((c) => c.getAttribute('aria-label') ?? ''));
      const weights = labels.map(weightOf);
      assert.equal(weights.length, source.length);
      assert.ok(Math.abs(weights.reduce((a, w) => a + w, 0) - 1) < 0.01, `row ${i + 1} sums to 1 (to the shown digits)`);
      const peak = weights.indexOf(Math.max(...weights));
      assert.ok(peak >= yearAt && peak < yearAt + 4, `output digit ${i + 1} peaks on source character ${peak + 1} ("${source[peak]}")`);
    }

    // Hover the strongest cell of the year's first digit: the tooltip says its weight. Room for the
    // screenshots: no side bar, no toast over the panel.
    await workbench.runCommand('Notifications: Clear All Notifications');
    await workbench.runCommand('View: Close Primary Side Bar');
    const firstRow = panel.locator('#attention-map tbody tr:nth-child(1) td.cell');
    const weights = (await firstRow.evaluateAll((cells) => cells.map((c) => c.getAttribute('aria-label') ?? ''))).map(weightOf);
    await firstRow.nth(weights.indexOf(Math.max(...weights))).hover();
    const tip = panel.locator('#attention-tooltip');
    await tip.waitFor({ state: 'visible' });
    assert.match((await tip.textContent()) ?? '', /^output “1” \(1\) ← source “\d” \(\d+\): 0\.\d{3}$/);
    await workbench.screenshot('attention-01-heatmap-light');
    await workbench.setTheme('dark');
    await firstRow.nth(weights.indexOf(Math.max(...weights))).hover();
    await tip.waitFor({ state: 'visible' });
    await workbench.screenshot('attention-02-heatmap-dark');

    // Keyboard: the map is one tab stop; arrow keys move between cells, the readout says the weight.
    await panel.locator('#attention-map td.cell[tabindex="0"]').focus();
    const readout = panel.locator('#attention-readout');
    const before = (await readout.textContent()) ?? '';
    await workbench.page.keyboard.press('ArrowDown');
    await workbench.page.keyboard.press('End');
    await eventually('the readout on row 2, the last column', async () => {
      const text = (await readout.textContent()) ?? '';
      return text !== before && /^output “9” \(2\) ← source “4” \(25\): 0\.\d{3}$/.test(text) ? text : undefined;
    });

    // The text alternative lists each output token's strongest source tokens.
    await panel.locator('#attention-text-section summary').click();
    assert.match((await panel.locator('#attention-text li').first().textContent()) ?? '', /^“1” ← “\d” 0\.\d\d/);

    // Follows the cursor: another line of the editor, the panel translates it.
    await workbench.page.locator('.monaco-editor .view-lines').first().click();
    await goToLine(3);   // "the 25th of May, 2011	2011-05-25"
    await eventually('the panel on line 3', async () =>
      ((await panel.locator('#attention-source').textContent())?.trim() === 'the 25th of May, 2011' ? true : undefined), 60_000);
    assert.match((await panel.locator('#attention-meta').textContent()) ?? '', /dates-heldout\.tsv · line 3 · /);
  });

  it('"Label Tokens in Editor" puts each line\'s output after it', async () => {
    await workbench.page.locator('.monaco-editor .view-lines').first().click();
    await goToLine(5);
    await workbench.runCommand('RNN Lab: Label Tokens in Editor');   // no quick pick: Show Attention used the model here
    await workbench.page.locator('.statusbar-item', { hasText: 'outputs' }).waitFor({ state: 'visible', timeout: 60_000 });
    // The outputs are after-line decorations: pseudo-elements, so their text is in the computed style.
    const afterTexts = await eventually('outputs after the lines', async () => {
      const texts = await workbench.page.locator('.view-line span').evaluateAll((spans) => spans
        .map((s) => String((globalThis as any).getComputedStyle(s, '::after').content)).filter((c) => c.startsWith('"→')));
      return texts.length >= 5 ? texts : undefined;
    }, 60_000);
    console.log(`e2e seq2seq labels: ${afterTexts.slice(0, 3).join(' ')}`);
    await workbench.page.mouse.move(300, 880);   // no toolbar tooltip where the palette's click left the pointer
    await workbench.screenshot('attention-03-labels-dark');
  });
});
