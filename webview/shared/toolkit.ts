// Our one door to @vscode/webview-ui-toolkit (deprecated upstream): panels import components from
// here, so replacing the toolkit later touches this file only.
import {
  provideVSCodeDesignSystem, vsCodeButton, vsCodeCheckbox, vsCodeDivider, vsCodeDropdown,
  vsCodeOption, vsCodeProgressRing, vsCodeTextArea, vsCodeTextField, vsCodeTag, vsCodeBadge,
  vsCodePanels, vsCodePanelTab, vsCodePanelView,
} from '@vscode/webview-ui-toolkit';

let registered = false;

/** Registers the toolkit's custom elements once (<vscode-button>, <vscode-dropdown>, ...). */
export function registerToolkit(): void {
  if (registered) return;
  registered = true;
  provideVSCodeDesignSystem().register(
    vsCodeButton(), vsCodeCheckbox(), vsCodeDivider(), vsCodeDropdown(), vsCodeOption(),
    vsCodeProgressRing(), vsCodeTextArea(), vsCodeTextField(), vsCodeTag(), vsCodeBadge(),
    vsCodePanels(), vsCodePanelTab(), vsCodePanelView(),
  );
}

type Attrs = Record<string, string | number | boolean | undefined>;

/** Creates an element with attributes and text, never through innerHTML. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs?: Attrs, ...children: (Node | string)[]): HTMLElementTagNameMap[K];
export function el(tag: string, attrs?: Attrs, ...children: (Node | string)[]): HTMLElement;
export function el(tag: string, attrs: Attrs = {}, ...children: (Node | string)[]): HTMLElement {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (k === 'class') node.className = String(v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) node.append(typeof c === 'string' ? document.createTextNode(c) : c);
  return node;
}

export const button = (label: string, onClick: () => void, appearance: 'primary' | 'secondary' | 'icon' = 'primary', attrs: Attrs = {}) => {
  const b = el('vscode-button', { appearance, ...attrs }, label);
  b.addEventListener('click', onClick);
  return b;
};

export function dropdown(options: readonly { value: string; label: string }[], value: string, onChange: (v: string) => void, attrs: Attrs = {}): HTMLElement {
  const d = el('vscode-dropdown', attrs);
  for (const o of options) {
    const opt = el('vscode-option', { value: o.value }, o.label);
    if (o.value === value) opt.setAttribute('selected', '');
    d.append(opt);
  }
  d.addEventListener('change', () => onChange((d as unknown as { value: string }).value));
  return d;
}

export function textField(label: string, value: string, onChange: (v: string) => void, attrs: Attrs = {}): HTMLElement {
  const f = el('vscode-text-field', { value, ...attrs }, label);
  f.addEventListener('input', () => onChange((f as unknown as { value: string }).value));
  return f;
}

export function checkbox(label: string, checked: boolean, onChange: (v: boolean) => void, attrs: Attrs = {}): HTMLElement {
  const c = el('vscode-checkbox', { checked, ...attrs }, label);
  c.addEventListener('change', () => onChange((c as unknown as { checked: boolean }).checked));
  return c;
}

/** The state the host put in the shell (see src/host/webview/html.ts). */
export function initialState<T>(): T | null {
  const raw = document.body.dataset.initialState;
  return raw ? (JSON.parse(raw) as T) : null;
}
