// The command ids of DESIGN.md §2, in one place, so package.json, the host and the tests agree.

export const Commands = {
  trainOnFile: 'rnnLab.trainOnFile',
  sample: 'rnnLab.sample',
  labelTokens: 'rnnLab.labelTokens',
  clearTokenLabels: 'rnnLab.clearTokenLabels',
  showPredictions: 'rnnLab.showPredictions',
  openDashboard: 'rnnLab.openDashboard',
  stopTraining: 'rnnLab.stopTraining',
  exportOnnx: 'rnnLab.exportOnnx',
  exportPyTorch: 'rnnLab.exportPyTorch',
  importOnnx: 'rnnLab.importOnnx',
  newConfig: 'rnnLab.newConfig',
  // Runs view and config editor actions.
  resumeRun: 'rnnLab.resumeRun',
  deleteRun: 'rnnLab.deleteRun',
  revealRun: 'rnnLab.revealRun',
  refreshRuns: 'rnnLab.refreshRuns',
  trainWithConfig: 'rnnLab.trainWithConfig',
  toggleTokenLabels: 'rnnLab.toggleTokenLabels',
  // Word embeddings (DESIGN.md §4).
  showEmbeddings: 'rnnLab.showEmbeddings',
  showInEmbeddings: 'rnnLab.showInEmbeddings',
  debiasVectors: 'rnnLab.debiasVectors',
  // seq2seq (DESIGN.md §4).
  showAttention: 'rnnLab.showAttention',
  // Evaluation (issue 15).
  evaluate: 'rnnLab.evaluate',
  // The walkthrough's samples (issue 17).
  openSamples: 'rnnLab.openSamples',
  trainSample: 'rnnLab.trainSample',
} as const;

export type CommandId = (typeof Commands)[keyof typeof Commands];
export const designCommands: readonly CommandId[] = [
  Commands.trainOnFile, Commands.sample, Commands.labelTokens, Commands.clearTokenLabels,
  Commands.showPredictions, Commands.openDashboard, Commands.stopTraining, Commands.exportOnnx,
  Commands.importOnnx, Commands.newConfig,
  Commands.exportPyTorch, Commands.showAttention,   // §4
  Commands.evaluate,                                // issue 15
];
