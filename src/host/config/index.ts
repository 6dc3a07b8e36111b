// The config feature: the .rnnconfig form editor, IntelliSense helpers and New RNN Config.
import type { FeatureContext } from '../feature';

export function registerConfig(_feature: FeatureContext): void {}
