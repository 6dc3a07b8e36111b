// What the "run finished" message offers next, by task: the commands that use the model just trained.
// No vscode import: the message, its buttons and the commands they run are decided here and tested.

export interface NextStep {
  readonly label: string;      // the button
  readonly command: string;    // run with the run folder as its argument
}

/**
 * Buttons for a run of `task` that ended with a model: Sample (language models), Label Tokens,
 * Evaluate, Export, then Open Dashboard (embed: Show Embeddings, Open Dashboard).
 */
export function nextStepsAfter(task: string): NextStep[] {
  const steps: NextStep[] = [];
  if (task === 'lm') steps.push({ label: 'Sample', command: 'rnnLab.sample' });
  if (task === 'lm' || task === 'tag' || task === 'classify' || task === 'seq2seq') steps.push({ label: 'Label Tokens', command: 'rnnLab.labelTokens' });
  if (task !== 'embed') steps.push({ label: 'Evaluate', command: 'rnnLab.evaluate' });
  if (task === 'embed') steps.push({ label: 'Show Embeddings', command: 'rnnLab.showEmbeddings' });
  else steps.push({ label: 'Export ONNX', command: 'rnnLab.exportOnnx' });
  steps.push({ label: 'Open Dashboard', command: 'rnnLab.openDashboard' });
  return steps;
}
