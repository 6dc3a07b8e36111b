// What the form editor shows, computed from the schema and the document's text: the field groups
// (once) and, for every version of the text, values, defaults, hidden fields and errors.
// No vscode import, so unit tests run it in plain Node.
import { parse, printParseErrorCode, type ParseError } from 'jsonc-parser';
import type { ErrorObject } from 'ajv';
import type { FieldError, FieldKind, FormField, FormGroup, FormState, JsonValue, ParseProblem } from '../../protocol/configForm';
import { isObject, pinnedFields, rnnconfigSchema, validateConfig, type SchemaNode } from './schema';

/** The form's sections: top-level scalars (name, task) join the data section. */
const groupLayout: readonly { id: string; title: string; objects: readonly string[] }[] = [
  { id: 'data', title: 'Task and data', objects: ['', 'data'] },
  { id: 'model', title: 'Model', objects: ['model'] },
  { id: 'training', title: 'Training', objects: ['training'] },
  { id: 'sampling', title: 'Sampling', objects: ['sampling'] },
];

export function formGroups(schema: SchemaNode = rnnconfigSchema): FormGroup[] {
  const known = new Set(groupLayout.flatMap((g) => g.objects));
  const extra = Object.entries(schema.properties ?? {}).filter(([k, s]) => s.type === 'object' && !known.has(k));
  if (extra.length) throw new Error(`rnnconfig schema: section "${extra[0][0]}" has no place in the form's groupLayout`);
  return groupLayout.map((group) => ({
    id: group.id,
    title: group.title,
    fields: group.objects.flatMap((objectKey) => {
      const node = objectKey === '' ? schema : schema.properties?.[objectKey];
      if (!node?.properties) throw new Error(`rnnconfig schema: section "${objectKey}" is missing`);
      return Object.entries(node.properties)
        .filter(([, sub]) => sub.type !== 'object')
        .map(([key, sub]) => formField(objectKey === '' ? [key] : [objectKey, key], sub));
    }),
  }));
}

function formField(path: string[], node: SchemaNode): FormField {
  const key = path.join('.');
  const kind = fieldKind(key, node);
  return {
    key,
    path,
    label: humanize(path[path.length - 1]),
    kind,
    description: node.description ?? '',
    default: node.default as JsonValue,
    options: node.enum?.map((v, i) => ({ value: String(v), description: node.enumDescriptions?.[i] ?? '' })),
    minimum: node.minimum ?? node.exclusiveMinimum,
    maximum: node.maximum ?? node.exclusiveMaximum,
  };
}

function fieldKind(key: string, node: SchemaNode): FieldKind {
  if (node.enum) return 'enum';
  if (node.anyOf) {
    const types = node.anyOf.map((s) => s.type).sort().join(',');
    if (types === 'number,string') return 'shareOrPath';
  }
  switch (node.type) {
    case 'boolean': return 'boolean';
    case 'integer': return 'integer';
    case 'number': return 'number';
    case 'string': return 'string';
    case 'array': if (node.items?.type === 'string') return 'stringList'; break;
  }
  throw new Error(`rnnconfig schema: field "${key}" has a shape the form cannot edit (type ${node.type ?? node.anyOf?.map((s) => s.type).join('|')})`);
}

/** "learningRate" → "Learning rate". */
export const humanize = (name: string): string => {
  const words = name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
};

/** Parses the text (JSON with comments) and reports the first syntax error with its line and column. */
export function parseConfigText(text: string): { value: unknown; parseError?: ParseProblem } {
  const errors: ParseError[] = [];
  const value = parse(text, errors, { allowTrailingComma: true, disallowComments: false });
  if (!errors.length) return { value };
  const first = errors[0];
  const before = text.slice(0, first.offset);
  const line = before.split('\n').length;
  const column = first.offset - (before.lastIndexOf('\n') + 1) + 1;
  return { value, parseError: { message: parseErrorMessage(printParseErrorCode(first.error)), line, column } };
}

function parseErrorMessage(code: string): string {
  const words = code.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  return `${words.charAt(0).toUpperCase()}${words.slice(1)} (${code})`;
}

export function formState(text: string, version: number, groups: readonly FormGroup[] = formGroups()): FormState {
  const fields = groups.flatMap((g) => g.fields);
  const { value, parseError } = parseConfigText(text);
  const values: Record<string, JsonValue> = {};
  for (const field of fields) {
    const v = valueAt(value, field.path);
    if (v !== undefined) values[field.key] = v as JsonValue;
  }
  if (parseError) {
    const effective = Object.fromEntries(fields.map((f) => [f.key, values[f.key] ?? f.default]));
    return { version, values, effective, hidden: [], errors: [], parseError };
  }

  const root = isObject(value) ? value : {};
  const { filled, errors } = validateConfig(root);
  const effective: Record<string, JsonValue> = {};
  for (const field of fields) {
    const v = valueAt(filled, field.path);
    effective[field.key] = (v === undefined ? field.default : v) as JsonValue;
  }
  const fieldErrors = describeErrors(errors, new Set(fields.map((f) => f.key)));
  if (!isObject(value)) fieldErrors.unshift({ key: '', message: 'The config must be a JSON object: { "task": ..., "model": { ... } }.' });
  const withError = new Set(fieldErrors.map((e) => e.key));
  // A pinned field stays visible while its value is wrong, so its error can be seen and fixed.
  const hidden = pinnedFields(filled).filter((k) => !withError.has(k));
  return { version, values, effective, hidden, errors: fieldErrors };
}

function valueAt(root: unknown, path: readonly string[]): unknown {
  let node = root;
  for (const k of path) {
    if (!isObject(node)) return undefined;
    node = node[k];
  }
  return node;
}

/** ajv errors → one message per field (the schema's errorMessage when it has one). */
export function describeErrors(errors: readonly ErrorObject[], fieldKeys: ReadonlySet<string>): FieldError[] {
  const out: FieldError[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    const path = e.instancePath.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
    let key = path.join('.');
    let message: string;
    if (e.keyword === 'additionalProperties') {
      const name = String((e.params as { additionalProperty: string }).additionalProperty);
      const where = key ? `"${key}"` : 'the top level';
      message = `Unknown field "${name}" in ${where}${suggestion(name, e.parentSchema)}.`;
      key = '';
    } else {
      const fieldSchema = e.parentSchema as SchemaNode | undefined;
      message = fieldSchema?.errorMessage ?? errorMessageOfField(path) ?? ajvMessage(e);
      if (!fieldKeys.has(key)) { message = `${key || 'config'}: ${message}`; key = ''; }
    }
    const id = `${key}\n${message}`;
    if (seen.has(id) || (key && out.some((o) => o.key === key))) continue;   // the first error of a field says enough
    seen.add(id);
    out.push({ key, message });
  }
  return out;
}

function errorMessageOfField(path: readonly string[]): string | undefined {
  let node: SchemaNode | undefined = rnnconfigSchema;
  for (const k of path) node = node?.properties?.[k];
  return node?.errorMessage;
}

function ajvMessage(e: ErrorObject): string {
  const text = e.message ?? `fails ${e.keyword}`;
  if (e.keyword === 'enum') return `${capitalize(text)}: ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}.`;
  return `${capitalize(text)}.`;
}

/** ", did you mean "hidden"?" for a typo of a known field. */
function suggestion(name: string, parent: unknown): string {
  const known = Object.keys((parent as SchemaNode | undefined)?.properties ?? {});
  const close = known.find((k) => editDistance(k.toLowerCase(), name.toLowerCase()) <= 2);
  return close ? `; did you mean "${close}"?` : '';
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length];
}

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
