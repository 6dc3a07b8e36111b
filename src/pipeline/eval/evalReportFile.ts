// Where Evaluate Model on File keeps its figures: eval-<file>.json in the run folder (the folder of an
// .onnx model given directly), the object `rnn-lab eval --json` prints, written atomically as every
// run file is (atomicFile.ts), so a reader finds the old report or the new one.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../atomicFile';
import type { EvalReport } from '../../protocol/evaluation';

/** eval-<data file name>.json beside the model: a run folder's own, or an .onnx file's folder. */
export function evalReportFile(modelPath: string, dataFile: string): string {
  const folder = fs.existsSync(modelPath) && fs.statSync(modelPath).isDirectory() ? modelPath : path.dirname(modelPath);
  return path.join(folder, `eval-${path.basename(dataFile)}.json`);
}

/** Writes the report (one JSON line, as `rnn-lab eval --json`); returns the file written. */
export function saveEvalReport(modelPath: string, dataFile: string, report: EvalReport): string {
  const file = evalReportFile(modelPath, dataFile);
  writeFileAtomic(file, JSON.stringify(report) + '\n');
  return file;
}
