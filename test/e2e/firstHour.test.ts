// The first hour of a newcomer (issue 17), in the packaged extension: Train on This File picks a
// config that fits the data (or offers the presets that do), the dashboard ends on the run's last
// step, the gradient-through-time chart stays when the dashboard is reopened and after a reload, and
// a failed training says what is wrong where it is seen: no empty dashboard for a run that never
// started, the error inside one that did, and the toast opens the file at fault.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { eventually, screenshotOnFailure, Workbench } from './workbench';

const workspace = process.env.RNNLAB_E2E_WORKSPACE ?? '.';
const write = (name: string, text: string) => {
  fs.mkdirSync(path.dirname(path.join(workspace, name)), { recursive: true });
  fs.writeFileSync(path.join(workspace, name), text);
};

describe('e2e: the first hour (configs that fit, charts that stay, failures said)', function () {
  this.timeout(300_000);
  let workbench: Workbench;

  before(async () => {
    // Written before the workbench opens, so the explorer lists them at once.
    // An lm config for corpus.txt: it used to win for names.tsv too, silently.
    write('corpus.rnnconfig', JSON.stringify({ task: 'lm', data: { train: 'corpus.txt' }, model: { cell: 'lstm', hidden: 16 }, training: { steps: 50 } }, null, 2));
    // In a folder of their own (a tag config beside names.tsv would fit it):
    // a tagger whose data has a malformed line 2, refused before the run starts ...
    write('failing/bad.tsv', 'Harry\t1\nPotter 1\n\nand\t0\n');
    write('failing/bad.rnnconfig', JSON.stringify({ task: 'tag', data: { train: 'bad.tsv' } }, null, 2));
    // ... and a run that starts and then diverges (relu RNN, learning rate 10, no clipping).
    write('failing/diverge.rnnconfig', JSON.stringify({
      task: 'lm', data: { train: '../corpus.txt', validation: 0 }, model: { cell: 'rnn', activation: 'relu', hidden: 64, embedding: 0, layers: 2 },
      training: { steps: 500, optimizer: 'adam', learningRate: 10, clipNorm: 0, batchSize: 4, sequenceLength: 16 },
    }, null, 2));
    workbench = await Workbench.open();
    await workbench.page.getByRole('tab', { name: /^RNN Lab/ }).waitFor({ state: 'visible', timeout: 60_000 });
  });
  after(async () => { await workbench?.close(); });
  screenshotOnFailure(() => workbench);

  const runsFolder = path.join(workspace, '.rnnlab', 'runs');
  const runDirs = () => (fs.existsSync(runsFolder) ? fs.readdirSync(runsFolder).map((n) => path.join(runsFolder, n)) : []);
  const runJson = (dir: string) => JSON.parse(fs.readFileSync(path.join(dir, 'run.json'), 'utf8')) as { status: string; step: number; message?: string };
  const dashboard = () => workbench.webviewFrame();
  const text = async (selector: string) => ((await dashboard().locator(selector).textContent()) ?? '').trim();
  const tabLabels = () => workbench.page.locator('.tabs-container .tab .label-name').allTextContents();
  const toast = (hasText: string) => workbench.page.locator('.notification-toast', { hasText });
  let namesRun = '';

  it('Train on names.tsv beside an lm config offers the presets that fit tag data, the tagger first', async () => {
    await workbench.rightClickExplorer('names.tsv', 'Train on This File');
    const title = await eventually('the preset quick pick', async () => {
      const t = await workbench.quickInputTitle();
      return /preset/i.test(t) ? t : undefined;
    });
    assert.match(title, /corpus\.rnnconfig \(lm\) does not fit tag data/);
    const first = (await workbench.page.locator('.quick-input-widget .monaco-list-row').first().textContent()) ?? '';
    assert.match(first, /tagger/i);
    assert.match(first, /fits this file/);
    await workbench.pickQuickItem('Bidirectional LSTM tagger');
    const config = await eventually('names.rnnconfig written', async () => {
      const file = path.join(workspace, 'names.rnnconfig');
      return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
    });
    assert.match(config, /"task": "tag"/);
    namesRun = await eventually('the names run folder', async () => runDirs().find((d) => /-names$/.test(d)), 60_000);
  });

  it('the dashboard ends on the run\'s last step', async () => {
    await dashboard().locator('#stat-step').waitFor({ state: 'visible', timeout: 60_000 });
    const status = await eventually('the run ends', async () => {
      const s = await text('#run-status');
      return ['finished', 'early-stopped'].includes(s) ? s : undefined;
    }, 240_000);
    const onDisk = runJson(namesRun);
    assert.equal(status, onDisk.status);
    assert.equal(await text('#stat-step'), `${onDisk.step} / 300`, 'the last step, not one a few reports before');
    const lastLogged = fs.readFileSync(path.join(namesRun, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).step).pop();
    assert.equal(lastLogged, onDisk.step);
    console.log(`e2e names run: ${status} at ${await text('#stat-step')}`);
  });

  it('the gradient-through-time chart stays: reopened, and after a reload', async () => {
    const rows = async () => {
      const caption = await text('#grad-caption');
      return /^Rows: \d+ windows/.test(caption) ? caption : undefined;
    };
    const live = await eventually('gradient windows on the finished run\'s dashboard', rows);
    await workbench.runCommand('View: Close Editor');
    await eventually('the dashboard closed', async () => ((await tabLabels()).some((l) => l.startsWith('Training:')) ? undefined : true));
    await workbench.runCommand('RNN Lab: Open Training Dashboard');   // the only run: no quick pick
    const reopened = await eventually('gradient windows on the reopened dashboard', rows, 60_000);
    assert.match(reopened, /step \d+ \(top\) to \d+ \(bottom\)/);
    console.log(`e2e gradients: live "${live}", reopened "${reopened}"`);
    await workbench.runCommand('Developer: Reload Window');
    await workbench.page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: 60_000 });
    const restored = await eventually('gradient windows on the dashboard restored after the reload', rows, 90_000);
    assert.equal(restored, reopened);
    await workbench.screenshot('first-hour-gradients-after-reload');
  });

  it('a run refused before it starts opens no dashboard; its toast opens the data file at the line', async () => {
    const before = (await tabLabels()).filter((l) => l.startsWith('Training:')).length;
    await workbench.explorerRow('failing').click();
    await workbench.rightClickExplorer('bad.tsv', 'Train on This File');
    const message = toast('cannot train on bad.tsv');
    await message.waitFor({ state: 'visible', timeout: 60_000 });
    assert.match((await message.textContent()) ?? '', /bad\.tsv:2: expected "token<TAB>label"/);
    assert.equal(await message.getByRole('button', { name: 'Open Config' }).count(), 0, 'the config is not the problem');
    assert.equal((await tabLabels()).filter((l) => l.startsWith('Training:')).length, before, 'no dashboard for it');
    await message.getByRole('button', { name: 'Open Data File' }).click();
    await eventually('bad.tsv in front', async () => ((await workbench.activeTabLabel()) === 'bad.tsv' ? true : undefined));
    const cursor = await eventually('the cursor on line 2', async () => {
      const status = (await workbench.page.locator('.statusbar-item', { hasText: /Ln \d+, Col \d+/ }).first().textContent()) ?? '';
      return /Ln 2,/.test(status) ? status : undefined;
    });
    assert.match(cursor, /Ln 2, Col 1/);
  });

  it('a run that fails after it started says the error inside its dashboard; its toast offers Open Config', async () => {
    await workbench.rightClickExplorer('diverge.rnnconfig', 'Train with This Config');
    await dashboard().locator('#run-status').waitFor({ state: 'visible', timeout: 60_000 });
    await eventually('the dashboard says failed', async () => ((await text('#run-status')) === 'failed' ? true : undefined), 120_000);
    assert.match(await text('#run-message'), /^training diverged at step \d+: .*learningRate/);
    const message = toast('training diverged');
    await message.waitFor({ state: 'visible', timeout: 30_000 });
    await message.getByRole('button', { name: 'Open Config' }).waitFor({ state: 'visible' });
    await workbench.screenshot('first-hour-failed-run');
  });
});
