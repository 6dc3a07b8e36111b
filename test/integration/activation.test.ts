// Activation inside a real extension host: test mode, every DESIGN.md §2 command registered with its
// title, activation fast and free of onnxruntime-node (which features load lazily on first use).
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as vscode from 'vscode';
import type { RnnLabApi } from '../../src/protocol/api';
import { designCommands } from '../../src/host/commands';

const extensionId = 'rnn-lab.rnn-lab';

// DESIGN.md §2, "Commands": id and title (the palette shows "RNN Lab: <title>").
const designTable: [id: string, title: string][] = [
  ['rnnLab.trainOnFile', 'Train on This File'],
  ['rnnLab.sample', 'Sample from Model…'],
  ['rnnLab.labelTokens', 'Label Tokens in Editor'],
  ['rnnLab.clearTokenLabels', 'Clear Token Labels'],
  ['rnnLab.showPredictions', 'Show Token Predictions'],
  ['rnnLab.openDashboard', 'Open Training Dashboard'],
  ['rnnLab.stopTraining', 'Stop Training'],
  ['rnnLab.exportOnnx', 'Export Model to ONNX…'],
  ['rnnLab.importOnnx', 'Import ONNX Model…'],
  ['rnnLab.newConfig', 'New RNN Config…'],
  ['rnnLab.exportPyTorch', 'Export as PyTorch Project…'],   // §4
  ['rnnLab.showAttention', 'Show Attention'],               // §4
  ['rnnLab.evaluate', 'Evaluate Model on File…'],          // issue 15
];

/** Every place onnxruntime could show up in this process: JS modules and mapped shared objects. */
function loadedOnnxruntime(): string[] {
  const modules = Object.keys(require.cache).filter((file) => /onnxruntime/.test(file));
  const mapped = fs.readFileSync('/proc/self/maps', 'utf8').split('\n')
    .filter((line) => /onnxruntime/.test(line)).map((line) => line.split(/\s+/).pop() ?? line);
  return [...new Set([...modules, ...mapped])];
}

describe('activation', () => {
  let api: RnnLabApi;
  let onnxruntimeBefore: string[];
  let activationMs: number;  // loading the bundle + activate(), seen from outside; activate() alone if it already ran

  before(async () => {
    const extension = vscode.extensions.getExtension<RnnLabApi>(extensionId);
    assert.ok(extension, `extension ${extensionId} is not installed in this extension host`);
    onnxruntimeBefore = loadedOnnxruntime();
    const wasActive = extension.isActive;  // an activation event (e.g. a .rnnconfig in the workspace) may have fired
    const started = Date.now();
    api = await extension.activate();
    activationMs = wasActive ? api.activationMs : Date.now() - started;
    console.log(`RNNLAB-ACTIVATION ${JSON.stringify({ activationMs, activateBodyMs: api.activationMs, wasActive })}`);
  });

  it('runs in vscode.ExtensionMode.Test', () => {
    assert.equal(api.extensionMode, vscode.ExtensionMode.Test);
  });

  it('registers every command of DESIGN.md §2 with its title and the "RNN Lab" category', async () => {
    const registered = new Set(await vscode.commands.getCommands(true));
    const manifest = vscode.extensions.getExtension(extensionId)!.packageJSON.contributes.commands as
      { command: string; title: string; category: string }[];
    assert.deepEqual([...designCommands].sort(), designTable.map(([id]) => id).sort());
    for (const [id, title] of designTable) {
      assert.ok(registered.has(id), `${id} is not registered`);
      const entry = manifest.find((c) => c.command === id);
      assert.deepEqual(entry && { title: entry.title, category: entry.category }, { title, category: 'RNN Lab' }, id);
    }
  });

  it('registers every command the manifest contributes', async () => {
    const registered = new Set(await vscode.commands.getCommands(true));
    const manifest = vscode.extensions.getExtension(extensionId)!.packageJSON.contributes.commands as { command: string }[];
    assert.deepEqual(manifest.map((c) => c.command).filter((id) => !registered.has(id)), []);
  });

  it('activates in under 2 s, even on a busy 2-core machine', () => {
    assert.ok(activationMs < 2000, `activation took ${activationMs} ms`);
  });

  it('does not load onnxruntime-node while activating', () => {
    assert.deepEqual(onnxruntimeBefore, [], 'onnxruntime was loaded before activate() was called');
    assert.deepEqual(loadedOnnxruntime(), []);
  });
});
