// The .rnnconfig form editor's webview: builds the form once from the field groups the host sends
// (generated from the schema), then shows each new state of the text document in place (values,
// defaults, hidden fields, errors). Every change is posted to the host, which edits the text.
import type { ConfigFormToHost, FormGroup, FormState, HostToConfigForm } from '../../src/protocol/configForm';
import { button, el, registerToolkit } from '../shared/toolkit';
import { onMessage, post } from '../shared/vscode';
import { buildField, type FieldView } from './fields';
import './configForm.css';

registerToolkit();
const send = (message: ConfigFormToHost) => post(message);

const app = document.getElementById('app')!;
let views: FieldView[] = [];
let banner: HTMLElement;
let bannerText: HTMLElement;
let bannerOpenText: HTMLElement;

function build(fileName: string, groups: readonly FormGroup[]): void {
  app.replaceChildren();
  views = [];
  bannerText = el('div', { class: 'banner-text' });
  bannerOpenText = button('Open as Text', () => send({ type: 'openText' }), 'secondary');
  banner = el('div', { class: 'banner', role: 'alert', hidden: true }, bannerText, bannerOpenText);
  app.append(
    el('header', { class: 'form-header' },
      el('h1', {}, fileName),
      el('div', { class: 'row' },
        button('Train with This Config', () => send({ type: 'train' }), 'primary', { 'data-action': 'train' }),
        button('Open as Text', () => send({ type: 'openText' }), 'secondary', { 'data-action': 'openText' }))),
    banner,
  );
  for (const group of groups) {
    const section = el('section', { class: 'group', 'data-group': group.id, 'aria-labelledby': `group-${group.id}` },
      el('h2', { id: `group-${group.id}` }, group.title));
    for (const field of group.fields) {
      const view = buildField(field, send);
      views.push(view);
      section.append(view.row);
    }
    app.append(section);
  }
}

function show(state: FormState): void {
  const hidden = new Set(state.hidden);
  const errors = new Map(state.errors.filter((e) => e.key).map((e) => [e.key, e.message]));
  for (const view of views) {
    view.show({
      value: state.effective[view.field.key],
      explicit: state.values[view.field.key] !== undefined,
      hidden: hidden.has(view.field.key),
      error: errors.get(view.field.key),
      disabled: state.parseError !== undefined,
    });
  }
  const general = state.parseError
    ? [`This file is not valid JSON (line ${state.parseError.line}, column ${state.parseError.column}): ${state.parseError.message}. Fix it in the text editor; the form follows.`]
    : state.errors.filter((e) => !e.key).map((e) => e.message);
  bannerText.replaceChildren(...general.map((m) => el('p', {}, m)));
  banner.hidden = general.length === 0;
  bannerOpenText.hidden = !state.parseError;
  send({
    type: 'rendered',
    form: {
      version: state.version,
      controls: Object.fromEntries(views.map((v) => [v.field.key, v.read()])),
      hidden: views.filter((v) => v.row.hidden).map((v) => v.field.key),
      errors: Object.fromEntries(views.filter((v) => v.errorText()).map((v) => [v.field.key, v.errorText()])),
      banner: banner.hidden ? '' : (bannerText.textContent ?? ''),
    },
  });
}

onMessage<HostToConfigForm>((message) => {
  switch (message.type) {
    case 'init':
      build(message.fileName, message.groups);
      show(message.state);
      return;
    case 'update':
      show(message.state);
      return;
    default: {
      const unknown: never = message;
      throw new Error(`config form: unknown message ${JSON.stringify(unknown)}`);
    }
  }
});

send({ type: 'ready' });
