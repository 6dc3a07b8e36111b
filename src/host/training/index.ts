// The training feature: Train on This File, the runs view, the training dashboard, stop and resume.
import type { FeatureContext } from '../feature';

export function registerTraining(_feature: FeatureContext): void {}
