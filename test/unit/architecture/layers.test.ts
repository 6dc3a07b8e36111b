// The architecture's layers, checked from the sources so they stay true (README, Architecture):
// every import of every src/ and webview/ file (import, export … from, import type, require(),
// import()) is read with the TypeScript parser and held against a table of rules.
//
//   src/engine    nothing but src/engine (wasm/ finds node:worker_threads and node:v8 at run time, no files)
//   src/onnx      no pipeline, host, cli, protocol, webview, vscode
//   src/pipeline  no host, cli, webview, vscode
//   src/protocol  types only: type-only imports, only interfaces and type aliases
//   webview/      no host, pipeline, onnx, engine, cli, vscode, node builtins; src/protocol as types only
//   onnxruntime-node only from src/onnx; no file a worker entry or the CLI reaches is in src/host or imports vscode;
//   no import cycles
import * as assert from 'node:assert/strict';
import { builtinModules } from 'node:module';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

const root = path.resolve(__dirname, '../../../..');   // out/test/unit/architecture → the repository

/** One import of a file: what it names, the repository file it resolves to (null: a package or builtin). */
interface Import {
  readonly from: string;          // repository-relative, e.g. src/pipeline/loadModel.ts
  readonly specifier: string;     // as written: '../onnx', 'vscode', 'node:fs'
  readonly target: string | null; // src/onnx/index.ts, or null for a package
  readonly typeOnly: boolean;     // erased at compile time (import type, typeof import(...))
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return sourceFiles(rel);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [rel] : [];
  });
}

function resolve(from: string, specifier: string): string | null {
  if (!specifier.startsWith('.')) return null;
  const base = path.posix.join(path.posix.dirname(from), specifier);
  for (const candidate of [base, `${base}.ts`, `${base}.d.ts`, `${base}/index.ts`, base.replace(/\.js$/, '.ts')]) {
    if (fs.existsSync(path.join(root, candidate)) && fs.statSync(path.join(root, candidate)).isFile()) return candidate;
  }
  throw new Error(`${from}: cannot resolve import '${specifier}'`);
}

const isTypeOnlyImport = (node: ts.ImportDeclaration): boolean => {
  const clause = node.importClause;
  if (!clause) return false;                                   // import 'x': run for its effects
  if (clause.isTypeOnly) return true;
  const bindings = clause.namedBindings;
  return !clause.name && !!bindings && ts.isNamedImports(bindings) && bindings.elements.length > 0 && bindings.elements.every((e) => e.isTypeOnly);
};

function importsOf(file: string, source: ts.SourceFile): Import[] {
  const out: Import[] = [];
  const add = (specifier: string, typeOnly: boolean) => out.push({ from: file, specifier, target: resolve(file, specifier), typeOnly });
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) add(node.moduleSpecifier.text, isTypeOnlyImport(node));
    else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) add(node.moduleSpecifier.text, node.isTypeOnly);
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference) && ts.isStringLiteral(node.moduleReference.expression)) {
      add(node.moduleReference.expression.text, node.isTypeOnly);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      add(node.argument.literal.text, true);
    } else if (ts.isCallExpression(node) && node.arguments.length >= 1 && ts.isStringLiteral(node.arguments[0])
      && ((ts.isIdentifier(node.expression) && node.expression.text === 'require') || node.expression.kind === ts.SyntaxKind.ImportKeyword)) {
      add(node.arguments[0].text, false);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

const files = [...sourceFiles('src'), ...sourceFiles('webview')].sort();
const parsed = new Map(files.map((f) => [f, ts.createSourceFile(f, fs.readFileSync(path.join(root, f), 'utf8'), ts.ScriptTarget.ES2022, true)]));
const imports = new Map(files.map((f) => [f, importsOf(f, parsed.get(f)!)]));
const allImports = [...imports.values()].flat();

/** The layer a repository file belongs to: src/engine, src/onnx, …, src/cli (src/cli.ts too), webview. */
function layerOf(file: string): string {
  if (file === 'src/cli.ts') return 'src/cli';
  const [top, second] = file.split('/');
  return top === 'webview' ? 'webview' : `${top}/${second}`;
}

const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
const packageOf = (specifier: string) => (specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]);
/** What an import reaches, as a rule names it: a layer (src/onnx), a package (vscode), or "node builtins". */
const reached = (i: Import) => (i.target ? layerOf(i.target) : builtins.has(i.specifier) ? 'node builtins' : packageOf(i.specifier));
const show = (i: Import) => `${i.from} imports '${i.specifier}'${i.typeOnly ? ' (types)' : ''}`;

/** [layer, what it must not reach, the exceptions: file → what that file may reach] */
const forbidden: [string, string[], Record<string, string[]>?][] = [
  ['src/engine', ['src/onnx', 'src/pipeline', 'src/protocol', 'src/host', 'src/cli', 'webview', 'vscode', 'onnxruntime-node', 'node builtins']],
  ['src/onnx', ['src/pipeline', 'src/protocol', 'src/host', 'src/cli', 'webview', 'vscode']],
  ['src/pipeline', ['src/host', 'src/cli', 'webview', 'vscode', 'onnxruntime-node']],
  ['src/protocol', ['src/host', 'src/cli', 'webview', 'vscode', 'onnxruntime-node', 'node builtins']],
  ['src/cli', ['src/host', 'webview', 'vscode', 'onnxruntime-node']],
  ['src/host', ['webview', 'onnxruntime-node']],
  ['webview', ['src/host', 'src/pipeline', 'src/onnx', 'src/engine', 'src/cli', 'vscode', 'onnxruntime-node', 'node builtins']],
];

/** Files a file reaches through imports that are kept at run time (type-only imports are erased). */
function reachable(entry: string): Set<string> {
  const seen = new Set<string>([entry]);
  for (const file of seen) for (const i of imports.get(file) ?? []) if (i.target && !i.typeOnly) seen.add(i.target);
  return seen;
}

/** Top-level statements of a types-only file that are not types: what makes it runtime code. */
function runtimeStatements(file: string): string[] {
  const source = parsed.get(file)!;
  return source.statements.filter((s) => {
    if (ts.isInterfaceDeclaration(s) || ts.isTypeAliasDeclaration(s)) return false;
    if (ts.isImportDeclaration(s)) return !isTypeOnlyImport(s);
    if (ts.isExportDeclaration(s)) return !s.isTypeOnly && !(s.exportClause && ts.isNamedExports(s.exportClause) && s.exportClause.elements.every((e) => e.isTypeOnly));
    if (ts.isModuleDeclaration(s)) return !(s.modifiers ?? []).some((m) => m.kind === ts.SyntaxKind.DeclareKeyword);
    return true;
  }).map((s) => `${file}:${source.getLineAndCharacterOfPosition(s.getStart()).line + 1}: ${s.getText().split('\n')[0].slice(0, 80)}`);
}

describe('architecture: the layers, read from every import of src/ and webview/', () => {
  it('finds the imports (the parser sees every kind of import this code uses)', () => {
    assert.ok(files.length > 150, `${files.length} files`);
    const kinds = (file: string) => imports.get(file)!.map((i) => `${i.specifier}${i.typeOnly ? ' (types)' : ''}`);
    assert.ok(kinds('src/pipeline/loadModel.ts').includes('../onnx (types)'), 'typeof import()');
    assert.ok(kinds('src/pipeline/loadModel.ts').includes('../onnx'), 'require()');
    assert.ok(kinds('src/onnx/ort.ts').includes('onnxruntime-node'), 'require() of a package');
    assert.ok(kinds('src/host/extension.ts').includes('vscode'), 'import * as');
  });

  for (const [layer, banned, exceptions = {}] of forbidden) {
    it(`${layer} reaches none of ${banned.join(', ')}`, () => {
      const violations = allImports.filter((i) => layerOf(i.from) === layer && banned.includes(reached(i)) && !(exceptions[i.from] ?? []).includes(reached(i)));
      assert.deepEqual(violations.map(show), []);
    });
  }

  it('src/engine finds builtins at run time only for its WASM engine: threads for the kernel pool, V8 for a SIMD flag (no files)', () => {
    const lookups = files.filter((f) => layerOf(f) === 'src/engine').flatMap((f) =>
      [...fs.readFileSync(path.join(root, f), 'utf8').matchAll(/getBuiltinModule\?*\.?\(([^)]*)\)/g)].map((m) => `${f}: ${m[1]}`));
    assert.deepEqual(lookups.sort(), ["src/engine/wasm/index.ts: 'node:v8'", "src/engine/wasm/parallel.ts: 'node:worker_threads'"]);
  });

  it('onnxruntime-node is imported only by src/onnx', () => {
    const importers = allImports.filter((i) => packageOf(i.specifier) === 'onnxruntime-node' && layerOf(i.from) !== 'src/onnx');
    assert.deepEqual(importers.map(show), []);
    assert.ok(allImports.some((i) => packageOf(i.specifier) === 'onnxruntime-node'), 'src/onnx/ort.ts loads it');
  });

  it('src/protocol holds types only: type-only imports, interfaces and type aliases, no runtime code', () => {
    const protocol = files.filter((f) => layerOf(f) === 'src/protocol');
    assert.deepEqual(protocol.flatMap(runtimeStatements), []);
    assert.deepEqual(allImports.filter((i) => layerOf(i.from) === 'src/protocol' && !i.typeOnly).map(show), []);
  });

  it('webview/ takes only types from src/ (no host or engine code is bundled into a page)', () => {
    assert.deepEqual(allImports.filter((i) => layerOf(i.from) === 'webview' && i.target?.startsWith('src/') && !i.typeOnly).map(show), []);
  });

  const entries = ['src/pipeline/training/trainingWorker.ts', 'src/pipeline/inference/inferenceWorker.ts', 'src/cli.ts'];
  for (const entry of entries) {
    it(`nothing ${path.basename(entry)} reaches lives in src/host or imports vscode`, () => {
      const files = [...reachable(entry)];
      assert.ok(files.length > 10, `${entry} reaches ${files.length} files`);
      assert.deepEqual(files.filter((f) => layerOf(f) === 'src/host'), []);
      assert.deepEqual(files.flatMap((f) => (imports.get(f) ?? []).filter((i) => i.specifier === 'vscode' && !i.typeOnly)).map(show), []);
    });
  }

  it('no test-only counters, hooks or hidden commands in production code', () => {
    const probes = /\b(delivered|lastPosted|whenRendered|renderCount|testHooks?)\b|rnnLab\.internal\./;
    const found = files.flatMap((f) => fs.readFileSync(path.join(root, f), 'utf8').split('\n')
      .map((line, n) => (probes.test(line) ? `${f}:${n + 1}: ${line.trim()}` : null)).filter((l): l is string => l !== null));
    assert.deepEqual(found, []);
    const commands = (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).contributes.commands as { command: string }[]).map((c) => c.command);
    assert.deepEqual(commands.filter((c) => /internal|test/i.test(c)), []);
  });

  it('no import cycles in src/, type imports included (a type two files share lives in the lower one)', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const stack: string[] = [];
    const visit = (file: string): void => {
      state.set(file, 'open');
      stack.push(file);
      for (const { target } of imports.get(file) ?? []) {
        if (!target) continue;
        if (state.get(target) === 'open') cycles.push([...stack.slice(stack.indexOf(target)), target].join(' → '));
        else if (!state.has(target)) visit(target);
      }
      stack.pop();
      state.set(file, 'done');
    };
    for (const file of files) if (!state.has(file)) visit(file);
    assert.deepEqual(cycles, []);
  });
});
