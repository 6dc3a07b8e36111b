// One form field: its control (dropdown, checkbox or text field, by the field's kind), label,
// description, "default" marker, reset button and inline error; and how its text is read back.
import type { ConfigFormToHost, FormField, JsonValue } from '../../src/protocol/configForm';
import { el } from '../shared/toolkit';

export interface FieldShow {
  readonly value: JsonValue | undefined;   // effective value (explicit or default)
  readonly explicit: boolean;              // set in the text
  readonly hidden: boolean;
  readonly error: string | undefined;
  readonly disabled: boolean;
}

export interface FieldView {
  readonly field: FormField;
  readonly row: HTMLElement;
  show(state: FieldShow): void;
  /** The control's value as text (checkbox: "true"/"false"). */
  read(): string;
  errorText(): string;
}

type Control = HTMLElement & { value: string; checked: boolean; disabled: boolean };

export function buildField(field: FormField, send: (m: ConfigFormToHost) => void): FieldView {
  const id = `field-${field.key.replace(/\./g, '-')}`;
  const error = el('div', { class: 'error', id: `${id}-error`, 'aria-live': 'polite' });
  const optionHelp = el('div', { class: 'muted option-help' });
  const defaultTag = el('span', { class: 'default-tag muted' }, 'default');
  const reset = el('vscode-button', { appearance: 'icon', title: `Reset ${field.key} to its default (${JSON.stringify(field.default)})`, 'aria-label': `Reset ${field.label} to its default` }, '↺');
  reset.addEventListener('click', () => send({ type: 'reset', key: field.key }));
  let current: { value: JsonValue | undefined; explicit: boolean } = { value: undefined, explicit: false };
  let localError = '';
  let serverError = '';

  const commit = (value: JsonValue) => {
    localError = '';
    if (current.explicit && JSON.stringify(current.value) === JSON.stringify(value)) return;
    send({ type: 'edit', key: field.key, value });
  };
  // The toolkit's controls also fire 'change' when show() sets them: a value equal to the one shown
  // is no edit of the user's (else a default would be written into the text).
  const isShownValue = () => control.disabled
    || (field.kind === 'boolean' ? control.checked === (current.value === true) : control.value === display(current.value));

  let control: Control;
  switch (field.kind) {
    case 'enum': {
      control = el('vscode-dropdown', { id, 'aria-label': field.label }) as Control;
      for (const option of field.options ?? []) control.append(el('vscode-option', { value: option.value, title: option.description }, option.value));
      control.addEventListener('change', () => { if (!isShownValue()) commit(control.value); });
      break;
    }
    case 'boolean': {
      control = el('vscode-checkbox', { id, 'aria-label': field.label }) as Control;
      control.addEventListener('change', () => { if (!isShownValue()) commit(control.checked); });
      break;
    }
    default: {
      control = el('vscode-text-field', { id, 'aria-label': field.label, placeholder: display(field.default) }) as Control;
      control.addEventListener('change', () => {
        if (isShownValue()) { localError = ''; error.textContent = serverError; return; }
        const parsed = parseText(field, control.value);
        if (parsed.kind === 'reset') send({ type: 'reset', key: field.key });
        else if (parsed.kind === 'error') { localError = parsed.message; error.textContent = localError; }
        else commit(parsed.value);
      });
    }
  }

  const label = el('label', { class: 'label', for: id }, field.label);
  const row = el('div', { class: 'field', 'data-key': field.key },
    el('div', { class: 'field-head' }, label, el('code', { class: 'key muted' }, field.key), defaultTag, reset),
    control,
    el('div', { class: 'muted description' }, field.description),
    optionHelp,
    error);

  return {
    field,
    row,
    show(state) {
      // The toolkit's text field and checkbox overwrite aria-label when they connect ("Text field",
      // "Checkbox"), and a <label for> cannot reach the input in their shadow root: name them again.
      if (control.getAttribute('aria-label') !== field.label) control.setAttribute('aria-label', field.label);
      current = { value: state.value, explicit: state.explicit };
      row.hidden = state.hidden;
      control.disabled = state.disabled;
      if (field.kind === 'boolean') control.checked = state.value === true;
      else if (document.activeElement !== control || !localError) control.value = display(state.value);
      if (field.kind === 'enum') {
        optionHelp.textContent = field.options?.find((o) => o.value === state.value)?.description ?? '';
      }
      defaultTag.hidden = state.explicit;
      reset.hidden = !state.explicit || state.disabled;
      localError = '';
      serverError = state.error ?? '';
      error.textContent = serverError;
      row.classList.toggle('invalid', Boolean(state.error));
    },
    read: () => (field.kind === 'boolean' ? String(control.checked) : control.value),
    errorText: () => error.textContent ?? '',
  };
}

function display(value: JsonValue | undefined): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return value.join(', ');
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

type Parsed = { kind: 'value'; value: JsonValue } | { kind: 'reset' } | { kind: 'error'; message: string };

/** The text of a text field → the JSON value to write. An empty number field resets to the default. */
export function parseText(field: FormField, text: string): Parsed {
  const trimmed = text.trim();
  switch (field.kind) {
    case 'integer':
    case 'number': {
      if (trimmed === '') return { kind: 'reset' };
      const n = Number(trimmed);
      if (!Number.isFinite(n)) return { kind: 'error', message: `Expected a number${rangeText(field)}, got "${trimmed}".` };
      return { kind: 'value', value: n };
    }
    case 'shareOrPath': {
      if (trimmed === '') return { kind: 'reset' };
      const n = Number(trimmed);
      return { kind: 'value', value: Number.isFinite(n) ? n : trimmed };
    }
    case 'stringList':
      return { kind: 'value', value: trimmed === '' ? [] : trimmed.split(',').map((s) => s.trim()).filter(Boolean) };
    case 'string':
      return { kind: 'value', value: text };
    case 'enum':
    case 'boolean':
      return { kind: 'error', message: `${field.key} is not edited as text` };
  }
}

function rangeText(field: FormField): string {
  if (field.minimum !== undefined && field.maximum !== undefined) return ` from ${field.minimum} to ${field.maximum}`;
  return '';
}
