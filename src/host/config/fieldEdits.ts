// The minimal text edits that set or remove one field of a .rnnconfig, made with jsonc-parser's
// modify (VS Code's own library), so comments, key order and formatting elsewhere stay as they are.
// No vscode import: the host turns these edits into a WorkspaceEdit.
import { applyEdits, createScanner, findNodeAtLocation, modify, parseTree, SyntaxKind, type Edit, type FormattingOptions } from 'jsonc-parser';
import type { JsonValue } from '../../protocol/configForm';

/** Indentation and line ends as the file already uses them (two spaces and \n when it has none). */
export function detectFormatting(text: string): FormattingOptions {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const indent = /^([ \t]+)\S/m.exec(text)?.[1] ?? '  ';
  return indent.startsWith('\t')
    ? { insertSpaces: false, tabSize: 4, eol }
    : { insertSpaces: true, tabSize: indent.length, eol };
}

/** Edits that set `path` to `value`, or remove it when `value` is undefined (back to its default). */
export function fieldEdits(text: string, path: readonly string[], value: JsonValue | undefined): Edit[] {
  if (value === undefined) return removalEdits(text, path) ?? modify(text, [...path], undefined, { formattingOptions: detectFormatting(text) });
  // An empty document gets an object to hold the field.
  const base = text.trim() === '' ? '{}' : text;
  const edits = modify(base, [...path], value, { formattingOptions: detectFormatting(text) });
  if (base === text) return edits;
  return [{ offset: 0, length: text.length, content: applyEdits(base, edits) }];
}

/**
 * Removes a property that has lines of its own: those lines go, and when it was the last property
 * the comma before it goes too. jsonc-parser's removal would also take the comments between the
 * previous value and this property (`"cell": "lstm", // try gru`). Undefined: let modify do it.
 */
function removalEdits(text: string, path: readonly string[]): Edit[] | undefined {
  const root = parseTree(text);
  const valueNode = root && findNodeAtLocation(root, [...path]);
  const property = valueNode?.parent;
  const object = property?.parent;
  if (!property || property.type !== 'property' || !object) return valueNode ? undefined : [];
  const start = property.offset, end = property.offset + property.length;
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  if (text.slice(lineStart, start).trim() !== '') return undefined;
  // After the property: an optional comma, blanks, an optional // comment, then the line end.
  const rest = /^[ \t]*,?[ \t]*(\/\/[^\r\n]*)?(\r?\n|$)/.exec(text.slice(end));
  if (!rest) return undefined;
  const edits: Edit[] = [{ offset: lineStart, length: end + rest[0].length - lineStart, content: '' }];
  const siblings = object.children ?? [];
  const index = siblings.indexOf(property);
  if (index === siblings.length - 1 && index > 0) {
    const previous = siblings[index - 1];
    const comma = commaAfter(text, previous.offset + previous.length, start);
    if (comma !== undefined) edits.unshift({ offset: comma, length: 1, content: '' });
  }
  return edits;
}

/** Offset of the comma token between `from` and `to`, skipping comments and blanks. */
function commaAfter(text: string, from: number, to: number): number | undefined {
  const scanner = createScanner(text.slice(0, to), false);
  scanner.setPosition(from);
  for (let kind = scanner.scan(); kind !== SyntaxKind.EOF; kind = scanner.scan()) {
    if (kind === SyntaxKind.CommaToken) return scanner.getTokenOffset();
  }
  return undefined;
}
