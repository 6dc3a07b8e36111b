// UI helpers for end-to-end tests: a headless Chromium driving the code-server workbench that
// scripts/test.mjs started for this test file (packaged VSIX installed, a fresh copy of samples/
// as the workspace). Each helper is one user gesture, so a feature adds an e2e step in one line.
import * as fs from 'fs';
import * as path from 'path';
import { chromium, type Browser, type FrameLocator, type Locator, type Page } from 'playwright-core';

export const extensionId = 'rnn-lab.rnn-lab';
const resultsDir = process.env.RNNLAB_E2E_RESULTS ?? path.resolve(__dirname, '../../../test-results/e2e');

/** A small poll loop: UI state in the workbench settles asynchronously. */
export async function eventually<T>(what: string, attempt: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await attempt();
      if (value !== undefined) return value;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() > deadline) {
      throw new Error(`${what}: not done within ${timeoutMs / 1000} s${lastError ? ` (last error: ${(lastError as Error).message})` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

/** Registers an afterEach that saves test-results/e2e/FAILED-<title>.png when a test fails. */
export function screenshotOnFailure(workbench: () => Workbench | undefined): void {
  afterEach(async function () {
    const test = this.currentTest;
    if (test?.state !== 'failed') return;
    await workbench()?.screenshot(`FAILED-${test.fullTitle().replace(/[^\w.-]+/g, '_').slice(0, 100)}`);
  });
}

export class Workbench {
  private constructor(readonly browser: Browser, readonly page: Page, readonly workspace: string) {}

  /** Opens the workspace in a fresh browser page and waits until the explorer lists its files. */
  static async open(): Promise<Workbench> {
    const url = process.env.RNNLAB_E2E_URL;
    const workspace = process.env.RNNLAB_E2E_WORKSPACE;
    if (!url || !workspace) {
      throw new Error('RNNLAB_E2E_URL / RNNLAB_E2E_WORKSPACE are not set: run end-to-end tests with `node scripts/test.mjs e2e`');
    }
    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
        '--disable-sync', '--no-first-run', '--disable-quic'],
    });
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(`${url}/?folder=${encodeURIComponent(workspace)}`);
    await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: 60_000 });
    return new Workbench(browser, page, workspace);
  }

  async close(): Promise<void> {
    await this.browser.close();
  }

  /** Saves test-results/e2e/<name>.png (git-ignored). */
  async screenshot(name: string): Promise<string> {
    fs.mkdirSync(resultsDir, { recursive: true });
    const file = path.join(resultsDir, `${name}.png`);
    await this.page.screenshot({ path: file });
    return file;
  }

  /** The quick input's text box, whatever it currently shows (palette, quick pick, input box). */
  get quickInput(): Locator {
    return this.page.locator('.quick-input-widget input.input');
  }

  /** Focus out of a webview iframe: keyboard shortcuts would go to the webview instead of the workbench. */
  private async blurWebview(): Promise<void> {
    await this.page.evaluate('document.activeElement && document.activeElement.blur()');  // runs in the page (no DOM lib here)
  }

  async openPalette(): Promise<void> {
    await this.blurWebview();
    await this.page.keyboard.press('F1');
    await this.quickInput.waitFor({ state: 'visible' });
  }

  /** Runs a palette command by its full title ("RNN Lab: New RNN Config…"). Extension commands
   * appear a few seconds after the workbench renders, so this retries until the row is there. */
  async runCommand(title: string): Promise<void> {
    await eventually(`palette command "${title}"`, async () => {
      await this.openPalette();
      await this.quickInput.fill(`>${title}`);
      // The row of exactly this command (its aria-label is "Title" or "Title, Keybinding"): fuzzy
      // matching may rank another command first ("Browse Color Themes…" above "Color Theme").
      const quoted = JSON.stringify(title);
      const row = this.page.locator(`.quick-input-widget .monaco-list-row:is([aria-label=${quoted}], [aria-label^=${JSON.stringify(`${title}, `)}])`).first();
      try {
        await row.waitFor({ state: 'visible', timeout: 2_000 });
        await row.click();
      } catch (e) {
        await this.page.keyboard.press('Escape');
        throw e;
      }
      return true;
    }, 30_000);
  }

  /** In an open quick pick, filters by `label` and picks the first item whose text contains it. */
  async pickQuickItem(label: string): Promise<void> {
    await this.quickInput.waitFor({ state: 'visible' });
    await this.quickInput.fill(label);
    const row = this.page.locator('.quick-input-widget .monaco-list-row', { hasText: label }).first();
    await row.waitFor({ state: 'visible' });
    await row.click();
  }

  /** Answers an open input box (the quick input with a prompt) with `text`. */
  async answerInput(text: string): Promise<void> {
    await this.quickInput.waitFor({ state: 'visible' });
    await this.quickInput.fill(text);
    await this.page.keyboard.press('Enter');
  }

  /** The title line of the quick input currently shown, e.g. "New RNN Config: file name". */
  async quickInputTitle(): Promise<string> {
    return (await this.page.locator('.quick-input-widget .quick-input-title').textContent())?.trim() ?? '';
  }

  explorerRow(name: string): Locator {
    return this.page.locator(`.explorer-folders-view .monaco-list-row[aria-label="${name}"]`);
  }

  /** Right-clicks `name` in the explorer and chooses `menuItem` from its context menu. */
  async rightClickExplorer(name: string, menuItem: string): Promise<void> {
    const row = this.explorerRow(name);
    await row.waitFor({ state: 'visible' });
    // The menu lives in a shadow root (getByRole pierces it); a first click is often swallowed.
    const item = this.page.getByRole('menuitem', { name: menuItem, exact: true });
    await eventually(`explorer "${name}" → "${menuItem}"`, async () => {
      try {
        await row.click({ button: 'right', delay: 100, timeout: 5_000 });
        await item.waitFor({ state: 'visible', timeout: 10_000 });
        await this.page.waitForTimeout(300);
        await item.click({ delay: 100, timeout: 5_000 });
        await item.waitFor({ state: 'hidden', timeout: 5_000 });
        return true;
      } catch (e) {
        // A menu left open blocks the next right-click (its backdrop takes the pointer): close it first.
        if (await this.page.locator('.context-view.monaco-menu-container').isVisible()) await this.page.keyboard.press('Escape');
        throw e;
      }
    }, 45_000);
  }

  /** The content frame of this extension's visible webview (panel or custom editor). */
  webviewFrame(id = extensionId): FrameLocator {
    return this.page.frameLocator(`iframe.webview.ready[src*="extensionId=${id}"]:visible`)
      .frameLocator('iframe#active-frame');
  }

  /** The text of the visible notification toasts. */
  async notifications(): Promise<string[]> {
    return this.page.locator('.notification-toast .notification-list-item-message').allTextContents();
  }

  /** Switches to VS Code's default light or dark theme (through the palette, as a user would) and
   * waits until the workbench wears it. */
  async setTheme(kind: 'light' | 'dark'): Promise<void> {
    await this.runCommand('Preferences: Color Theme');
    await this.pickQuickItem(kind === 'dark' ? 'Dark Modern' : 'Light Modern');
    await this.page.locator(`.monaco-workbench.${kind === 'dark' ? 'vs-dark' : 'vs'}`).waitFor({ timeout: 10_000 });
  }

  /** The label of the editor tab in front. */
  async activeTabLabel(): Promise<string> {
    return (await this.page.locator('.tabs-container .tab.active .label-name').first().textContent())?.trim() ?? '';
  }
}
