// The .rnnconfig JSON Schema (schemas/rnnconfig.schema.json, bundled) and the one way to compile it:
// ajv in strict mode, knowing VS Code's annotation keywords, filling defaults in. The config loader
// and the form editor both validate through here.
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
