// Command-line arguments: positionals and `--name value` / `--name=value` / boolean `--flag`,
// checked against what each command accepts; a mistake is a UsageError (exit code 2).
import { InputError } from '../pipeline/errors';
import { rnnconfigSchemaJson } from '../pipeline/schema';

export class UsageError extends InputError {}

export interface Parsed {
  readonly positional: string[];
  readonly options: Map<string, string>;
  readonly flags: Set<string>;
}

/** valued: options taking a value; flags: options without one. */
export function parseArgs(argv: readonly string[], valued: readonly string[], flags: readonly string[], usage: string): Parsed {
  const positional: string[] = [];
  const options = new Map<string, string>();
  const set = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--') || arg === '--') { positional.push(arg); continue; }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    if (flags.includes(name) && eq < 0) { set.add(name); continue; }
    if (!valued.includes(name)) throw new UsageError(`unknown option --${name}; usage: ${usage}`);
    const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new UsageError(`--${name} needs a value; usage: ${usage}`);
    options.set(name, value);
  }
  return { positional, options, flags: set };
}

/** A numeric option within [min, max] (or above `above`, exclusive); absent = undefined. */
export function numberOption(p: Parsed, name: string, check: { min?: number; above?: number; max?: number; integer?: boolean } = {}): number | undefined {
  const raw = p.options.get(name);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  const bounds = [check.min !== undefined && `≥ ${check.min}`, check.above !== undefined && `> ${check.above}`, check.max !== undefined && `≤ ${check.max}`]
    .filter(Boolean).join(' and ');
  const expected = `${check.integer ? 'a whole number' : 'a number'}${bounds ? ` ${bounds}` : ''}`;
  if (raw.trim() === '' || !Number.isFinite(value) || (check.integer && !Number.isInteger(value))
      || (check.min !== undefined && value < check.min) || (check.above !== undefined && value <= check.above)
      || (check.max !== undefined && value > check.max)) {
    throw new UsageError(`--${name} ${JSON.stringify(raw)}: expected ${expected}`);
  }
  return value;
}

export function backendOption(p: Parsed): 'engine' | 'ort' {
  const b = p.options.get('backend') ?? 'engine';
  if (b !== 'engine' && b !== 'ort') throw new UsageError(`--backend ${JSON.stringify(b)}: expected engine or ort`);
  return b;
}

/**
 * A numeric option with the range of a .rnnconfig field (`sampling.temperature`, `training.seed`), read
 * from the shipped schema, so the CLI accepts exactly what a config may say.
 */
export function schemaNumberOption(p: Parsed, name: string, field: string): number | undefined {
  const [section, key] = field.split('.');
  const schema = rnnconfigSchemaJson as { properties: Record<string, { properties: Record<string, SchemaNumber> }> };
  const s = schema.properties[section]?.properties[key];
  if (!s || (s.type !== 'number' && s.type !== 'integer')) throw new Error(`schemaNumberOption: ${field} is not a number field of the schema`);
  return numberOption(p, name, { min: s.minimum, above: s.exclusiveMinimum, max: s.maximum, integer: s.type === 'integer' });
}

interface SchemaNumber { readonly type: string; readonly minimum?: number; readonly exclusiveMinimum?: number; readonly maximum?: number }
