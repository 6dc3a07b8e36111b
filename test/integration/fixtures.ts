// What several integration suites start from: a model trained here from one of the presets (a few
// fields changed, e.g. fewer steps), and an in-memory Memento for a feature the test builds itself.
import * as fs from 'fs';
import * as path from 'path';
import * as jsonc from 'jsonc-parser';
import type * as vscode from 'vscode';
import { startTraining } from '../../src/pipeline/training/trainingClient';

/** A config field's path and its new value, e.g. [['training', 'steps'], 80]. */
export type ConfigChange = [(string | number)[], unknown];

/** Trains `data` with presets/<preset> (the changes applied) into dir/<name>-run; resolves with the run folder. */
export async function trainPreset(extensionPath: string, dir: string, name: string, preset: string, data: string,
  changes: ConfigChange[]): Promise<string> {
  let text = fs.readFileSync(path.join(extensionPath, 'presets', preset), 'utf8');
  for (const [at, value] of [[['data', 'train'], data] as ConfigChange, ...changes]) {
    text = jsonc.applyEdits(text, jsonc.modify(text, at, value, {}));
  }
  const configPath = path.join(dir, `${name}.rnnconfig`);
  fs.writeFileSync(configPath, text);
  const runDir = path.join(dir, `${name}-run`);
  const outcome = await startTraining({ configPath, runDir, resume: false }).outcome;
  if (outcome.type === 'error') throw new Error(`training ${name}: ${outcome.message}`);
  return runDir;
}

/** An in-memory Memento (a feature's workspace state) for a feature built by the test. */
export function memento(): vscode.Memento {
  const values = new Map<string, unknown>();
  return {
    keys: () => [...values.keys()],
    get: <T>(key: string, fallback?: T) => (values.has(key) ? values.get(key) as T : fallback),
    update: async (key: string, value: unknown) => { values.set(key, value); },
  } as vscode.Memento;
}
