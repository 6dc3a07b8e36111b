// Messages between the .rnnconfig form editor (webview/configForm) and its host
// (src/host/config/configEditor.ts). Readonly discriminated unions on `type`; both sides switch
// exhaustively. Types only: the webview imports them with `import type`.
import type { MessageTransport } from './transport';

export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** How a field is edited: which control, and how its text is read back. */
export type FieldKind =
  | 'enum'          // dropdown of the schema's enum
  | 'boolean'       // checkbox
  | 'integer'       // text field, whole numbers
  | 'number'        // text field
  | 'string'        // text field
  | 'shareOrPath'   // text field: a number (a share) or else a file path (data.validation)
  | 'stringList';   // text field, comma-separated (data.labels)

export interface FieldOption {
  readonly value: string;
  readonly description: string;
}

/** One field of the form, generated from the schema. `key` is the dotted JSON path ("model.cell"). */
export interface FormField {
  readonly key: string;
  readonly path: readonly string[];
  readonly label: string;
  readonly kind: FieldKind;
  readonly description: string;
  readonly default: JsonValue;
  readonly options?: readonly FieldOption[];
  readonly minimum?: number;
  readonly maximum?: number;
}

export interface FormGroup {
  readonly id: string;
  readonly title: string;
  readonly fields: readonly FormField[];
}

/** A validation error; `key` is a field's key, or '' for errors about the file as a whole. */
export interface FieldError {
  readonly key: string;
  readonly message: string;
}

export interface ParseProblem {
  readonly message: string;
  readonly line: number;     // 1-based
  readonly column: number;   // 1-based
}

/** What the form shows for one version of the text document. */
export interface FormState {
  readonly version: number;                              // the TextDocument's version
  readonly values: { readonly [key: string]: JsonValue }; // set explicitly in the text
  readonly effective: { readonly [key: string]: JsonValue }; // with the schema's defaults filled in
  readonly hidden: readonly string[];                    // keys whose condition does not hold
  readonly errors: readonly FieldError[];
  readonly parseError?: ParseProblem;                    // the text is not valid JSON with comments
}

export type HostToConfigForm =
  | { readonly type: 'init'; readonly fileName: string; readonly groups: readonly FormGroup[]; readonly state: FormState }
  | { readonly type: 'update'; readonly state: FormState };

/** What the webview shows after applying a state: each control's value as text, read from the DOM. */
export interface RenderedForm {
  readonly version: number;
  readonly controls: { readonly [key: string]: string };
  readonly hidden: readonly string[];
  readonly errors: { readonly [key: string]: string };
  readonly banner: string;                               // parse error or file-level errors, '' if none
}

export type ConfigFormToHost =
  | { readonly type: 'ready' }
  | { readonly type: 'edit'; readonly key: string; readonly value: JsonValue }
  | { readonly type: 'reset'; readonly key: string }       // remove the key: back to the default
  | { readonly type: 'train' }
  | { readonly type: 'openText' }
  | { readonly type: 'rendered'; readonly form: RenderedForm };

/** The host's end of a config form's channel. */
export type ConfigFormTransport = MessageTransport<HostToConfigForm, ConfigFormToHost>;
