// The form's view of the .rnnconfig JSON Schema: the schema nodes it reads, and validation with every
// error, through the pipeline's one compiled validator. No vscode import.
import type { ErrorObject } from 'ajv';
import { applyTaskDefaults, rnnconfigSchemaJson, schemaValidator } from '../../pipeline/schema';

/** The parts of a draft-07 schema node this feature reads. */
export interface SchemaNode {
  readonly type?: string;
  readonly title?: string;
  readonly description?: string;
  readonly markdownDescription?: string;
  readonly errorMessage?: string;
  readonly default?: unknown;
  readonly enum?: readonly unknown[];
  readonly enumDescriptions?: readonly string[];
  readonly const?: unknown;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly exclusiveMinimum?: number;
  readonly exclusiveMaximum?: number;
  readonly anyOf?: readonly SchemaNode[];
  readonly allOf?: readonly SchemaNode[];
  readonly properties?: { readonly [key: string]: SchemaNode };
  readonly required?: readonly string[];
  readonly items?: SchemaNode;
  readonly if?: SchemaNode;
  readonly then?: SchemaNode;
  readonly else?: SchemaNode;
}

export const rnnconfigSchema = rnnconfigSchemaJson as SchemaNode;

export interface Validation {
  /** The config with every default filled in (a copy; the input is untouched). */
  readonly filled: Record<string, unknown>;
  readonly errors: readonly ErrorObject[];
}

export function validateConfig(config: unknown): Validation {
  const filled = structuredClone(config ?? {}) as Record<string, unknown>;
  if (isObject(filled)) applyTaskDefaults(filled);
  const validate = schemaValidator(true);
  const ok = validate(filled);
  // 'if' and 'anyOf' errors only summarise the errors of their branches, which say more.
  const errors = ok ? [] : (validate.errors ?? []).filter((e) => e.keyword !== 'if' && e.keyword !== 'anyOf');
  return { filled, errors };
}

/**
 * Does `value` satisfy an `if` schema? The schema's conditions use only properties, required,
 * const and enum; anything else is a schema change this function must learn, so it throws.
 */
export function matchesCondition(condition: SchemaNode, value: unknown): boolean {
  for (const key of Object.keys(condition)) {
    if (!['properties', 'required', 'const', 'enum', 'type'].includes(key)) {
      throw new Error(`rnnconfig schema: condition keyword "${key}" is not supported by matchesCondition (expected properties, required, const, enum)`);
    }
  }
  if ('const' in condition && !jsonEqual(value, condition.const)) return false;
  if (condition.enum && !condition.enum.some((v) => jsonEqual(value, v))) return false;
  const object = isObject(value) ? value : undefined;
  if (condition.required?.some((k) => object?.[k] === undefined)) return false;
  for (const [k, sub] of Object.entries(condition.properties ?? {})) {
    if (object && object[k] !== undefined && !matchesCondition(sub, object[k])) return false;
  }
  return true;
}

/**
 * Dotted keys of the fields pinned by a conditional branch that applies to `filled` (a config with
 * defaults filled in): peephole for a gru, momentum for adam, ... The form hides them.
 */
export function pinnedFields(filled: unknown, node: SchemaNode = rnnconfigSchema, at: readonly string[] = []): string[] {
  const object = isObject(filled) ? filled : {};
  const pinned: string[] = [];
  for (const part of node.allOf ?? []) {
    if (!part.if) continue;
    const branch = matchesCondition(part.if, object) ? part.then : part.else;
    if (branch) pinned.push(...branchKeys(branch, at));
  }
  for (const [k, sub] of Object.entries(node.properties ?? {})) {
    if (sub.type === 'object') pinned.push(...pinnedFields(object[k], sub, [...at, k]));
  }
  return [...new Set(pinned)];
}

function branchKeys(branch: SchemaNode, at: readonly string[]): string[] {
  return Object.entries(branch.properties ?? {}).flatMap(([k, sub]) =>
    sub.properties ? branchKeys(sub, [...at, k]) : [[...at, k].join('.')]);
}

export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a), kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k) => jsonEqual(a[k], b[k]));
  }
  return false;
}
