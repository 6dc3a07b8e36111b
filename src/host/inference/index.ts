// The inference feature: sampling, the predictions panel and inline token labels.
import type { FeatureContext } from '../feature';

export function registerInference(_feature: FeatureContext): void {}
