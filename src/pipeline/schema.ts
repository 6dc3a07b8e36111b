// The .rnnconfig JSON Schema (schemas/rnnconfig.schema.json, bundled) and the one way to compile it:
// ajv in strict mode, knowing VS Code's annotation keywords, filling defaults in; before ajv, the
// schema's taskDefaults (a field's default for one task). The config loader and the form editor
// both validate through here.
import Ajv, { type ValidateFunction } from 'ajv';
import rawSchema from '../../schemas/rnnconfig.schema.json';
import vscodeKeywords from '../../schemas/vscode-keywords.json';

export const rnnconfigSchemaJson: unknown = rawSchema;

const compiled = new Map<boolean, ValidateFunction>();

/**
 * Compiled on first use (about 0.1 s). `allErrors`: every error (the form shows them all) or the
 * first (the loader reports one). `verbose`: errors carry their sub-schema, whose `errorMessage`
 * annotation says what to do.
 */
export function schemaValidator(allErrors: boolean): ValidateFunction {
  let validate = compiled.get(allErrors);
  if (!validate) {
    const ajv = new Ajv({ strict: true, useDefaults: true, allErrors, verbose: true });
    ajv.addVocabulary(vscodeKeywords);
    validate = ajv.compile(rawSchema);
    compiled.set(allErrors, validate);
  }
  return validate;
}

interface TaskDefaultsNode {
  readonly properties?: Record<string, TaskDefaultsNode>;
  readonly taskDefaults?: Record<string, unknown>;
}

/**
 * Fills the fields the config leaves out with their `taskDefaults` for its task (e.g. embed's
 * learningRate 0.025), in place, before ajv fills the plain defaults. Only a task the config names.
 */
export function applyTaskDefaults(config: Record<string, unknown>): void {
  const task = config.task;
  if (typeof task !== 'string') return;
  const walk = (node: TaskDefaultsNode, target: Record<string, unknown>) => {
    for (const [key, sub] of Object.entries(node.properties ?? {})) {
      if (sub.properties) {
        const child = target[key];
        if (child === undefined) target[key] = {};
        else if (child === null || typeof child !== 'object' || Array.isArray(child)) continue;   // ajv reports it
        walk(sub, target[key] as Record<string, unknown>);
      } else if (sub.taskDefaults && task in sub.taskDefaults && target[key] === undefined) {
        target[key] = structuredClone(sub.taskDefaults[task]);
      }
    }
  };
  walk(rawSchema as TaskDefaultsNode, config);
}
