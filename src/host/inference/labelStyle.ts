// How token labels look: a colour per label from the theme's chart palette (charts.*), a small
// after-text chip for labels other than the default one, the class and p after each classified line,
// a seq2seq model's output after each line in the inlay-hint colours, and surprisal as a four-level heat map in colours this extension contributes (rnnLab.surprisal*,
// with light, dark and high-contrast defaults). Every colour is a ThemeColor.
import * as vscode from 'vscode';
import type { ModelInfo } from '../../protocol/inference';

const chartColors = ['charts.blue', 'charts.orange', 'charts.green', 'charts.purple', 'charts.red', 'charts.yellow'] as const;
const chartNames = ['blue', 'orange', 'green', 'purple', 'red', 'yellow'];

/** Labels that mean "nothing here" in tagging data (CoNLL "O", the notes' 0). */
const DEFAULT_LABELS = new Set(['0', 'O', 'o', '_', '-', 'none', 'NONE', 'None', 'other', 'OTHER']);

/** The default label of a tagger: a conventional "nothing" label if there is one, else none at all. */
export function defaultLabel(labels: readonly string[]): string | undefined {
  return labels.find((l) => DEFAULT_LABELS.has(l));
}

/**
 * Surprisal levels, as a share r = surprisal / ln V of a uniform guess over the vocabulary. A trained
 * model sits well below 0.5 on text like its own, so only the surprising parts are coloured.
 */
export const SURPRISAL_LEVELS = [
  { from: 0.5, color: 'rnnLab.surprisalLow', name: 'surprising' },
  { from: 0.75, color: 'rnnLab.surprisalMedium', name: 'very surprising' },
  { from: 1, color: 'rnnLab.surprisalHigh', name: 'worse than a uniform guess' },
  { from: 1.5, color: 'rnnLab.surprisalVeryHigh', name: 'far worse than a uniform guess' },
] as const;

/** Index into SURPRISAL_LEVELS, or -1 when unremarkable. */
export function surprisalLevel(surprisal: number, vocabSize: number): number {
  const r = surprisal / Math.log(Math.max(2, vocabSize));
  for (let i = SURPRISAL_LEVELS.length - 1; i >= 0; i--) if (r >= SURPRISAL_LEVELS[i].from) return i;
  return -1;
}

/** The decoration types of one labelled document's model, created once per model kind and disposed with it. */
export class LabelStyles implements vscode.Disposable {
  /** Per label index (tag / classify) or per surprisal level (lm). */
  readonly types: vscode.TextEditorDecorationType[];

  constructor(readonly info: ModelInfo) {
    if (info.task === 'seq2seq') {
      this.types = [vscode.window.createTextEditorDecorationType({
        after: {
          color: new vscode.ThemeColor('editorInlayHint.foreground'), backgroundColor: new vscode.ThemeColor('editorInlayHint.background'),
          margin: '0 0 0 2em', fontStyle: 'normal', textDecoration: 'none; border-radius: 3px; padding: 0 4px',
        },
      })];
    } else if (info.task === 'lm') {
      this.types = SURPRISAL_LEVELS.map((level) => vscode.window.createTextEditorDecorationType({
        backgroundColor: new vscode.ThemeColor(level.color),
        rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
      }));
    } else {
      this.types = info.labels.map((_, k) => {
        const color = new vscode.ThemeColor(chartColors[k % chartColors.length]);
        const chip: vscode.ThemableDecorationAttachmentRenderOptions = {
          color, border: '1px solid', borderColor: color, margin: '0 3px 0 2px', fontStyle: 'normal',
          textDecoration: 'none; font-size: 0.85em; border-radius: 3px; padding: 0 3px',
        };
        return info.task === 'classify'
          ? vscode.window.createTextEditorDecorationType({ after: { ...chip, margin: '0 0 0 2em' } })
          : vscode.window.createTextEditorDecorationType({ color, fontWeight: '600', after: chip, rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed });
      });
    }
  }

  colorName(k: number): string {
    return chartNames[k % chartNames.length];
  }

  /** The legend shown in the status bar's tooltip. */
  legend(modelName: string): vscode.MarkdownString {
    const md = new vscode.MarkdownString(undefined, true);
    const { info } = this;
    md.appendMarkdown(`**RNN Lab labels** from \`${modelName}\` (${info.task}, ${info.cell})\n\n`);
    if (info.task === 'seq2seq') {
      md.appendMarkdown('After each line: the model\'s output for its source (a `source<TAB>target` line: the part before the TAB), searched with the model\'s beam settings. Hover a line for the beam\'s candidates; Show Attention draws where the model looked.\n');
    } else if (info.task === 'lm') {
      md.appendMarkdown('Surprisal −ln p(token | text before), as a share of a uniform guess (ln V):\n\n');
      for (const level of SURPRISAL_LEVELS) md.appendMarkdown(`- ≥ ${level.from}: ${level.name}\n`);
    } else {
      const plain = defaultLabel(info.labels);
      info.labels.forEach((label, k) => {
        md.appendMarkdown(`- \`${label}\`: ${label === plain && info.task === 'tag' ? 'plain text (default label)' : this.colorName(k)}\n`);
      });
    }
    md.appendMarkdown('\nClick to hide or show the labels.');
    return md;
  }

  dispose(): void {
    for (const t of this.types) t.dispose();
  }
}
