// The settings the Samples panel starts at for a model: the schema's defaults, then the sampling
// section of the run's config snapshot (config.rnnconfig: "temperature": 0.8 starts at 0.8), then
// what the user last sampled that model with. Plain fs + jsonc-parser, no vscode.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as jsonc from 'jsonc-parser';
import type { SampleSettings } from '../../protocol/samples';
import { RUN_FILES } from '../../pipeline/runStore';
import { defaultSampleSettings } from '../../pipeline/inference/sampleSettings';

export const DEFAULT_SAMPLE_SETTINGS: SampleSettings = defaultSampleSettings();   // the schema's (sampling.*, training.seed)

/** A run folder's config.rnnconfig sampling values (an .onnx file or an unreadable snapshot: none). */
export function configSampling(modelPath: string): Partial<SampleSettings> {
  let sampling: Record<string, unknown> | undefined;
  try {
    const value = jsonc.parse(fs.readFileSync(path.join(modelPath, RUN_FILES.config), 'utf8')) as { sampling?: Record<string, unknown> } | undefined;
    sampling = value?.sampling;
  } catch {
    return {};
  }
  if (!sampling || typeof sampling !== 'object') return {};
  const out: Record<string, number | string> = {};
  for (const key of ['temperature', 'topK', 'topP', 'length'] as const) {
    if (typeof sampling[key] === 'number' && Number.isFinite(sampling[key])) out[key] = sampling[key] as number;
  }
  if (typeof sampling.prime === 'string') out.prime = sampling.prime;
  return out as Partial<SampleSettings>;
}

export function startingSettings(modelPath: string | null, remembered?: SampleSettings): SampleSettings {
  return { ...DEFAULT_SAMPLE_SETTINGS, ...(modelPath ? configSampling(modelPath) : {}), ...remembered };
}
