// The Samples panel (browser side): model, prime and sampling settings; the text streams in token by
// token; a history of samples with copy and insert. Receives HostToSamples, sends SamplesToHost.
import type { HostToSamples, ModelOption, NumberRange, SampleLimits, SampleNumberKey, SampleRecord, SampleSettings, SamplesToHost } from '../../src/protocol/samples';
import { button, el, registerToolkit } from '../shared/toolkit';
import { onMessage, post } from '../shared/vscode';
import './samples.css';

const send = (m: SamplesToHost) => post(m);
registerToolkit();

const view = {
  models: [] as ModelOption[],
  model: null as string | null,
  // The host's init gives both: the saved settings (else the schema's defaults) and the schema's ranges.
  settings: null as SampleSettings | null,
  limits: null as SampleLimits | null,
  streaming: null as number | null,
};
const cards = new Map<number, { card: HTMLElement; generated: HTMLElement; status: HTMLElement; record: SampleRecord }>();

// ---- layout -------------------------------------------------------------------------------
const app = document.getElementById('app')!;
const modelSelect = el('select', { id: 'model', 'aria-label': 'Model' });
modelSelect.addEventListener('change', () => {
  view.model = modelSelect.value || null;
  const option = view.models.find((m) => m.path === view.model);
  if (option) showSettings(option.settings);   // each model starts at its config's sampling settings
});
const browse = button('Open ONNX Model…', () => send({ type: 'browseModel' }), 'secondary', { id: 'browse-model' });

const primeBox = el('textarea', { id: 'prime', rows: 3, placeholder: 'Prime text (empty: start of a line)', 'aria-label': 'Prime text' });
primeBox.addEventListener('input', () => { if (view.settings) view.settings = { ...view.settings, prime: primeBox.value }; });

interface NumberSetting { readonly key: SampleNumberKey; readonly label: string; readonly step: number }
const numberSettings: NumberSetting[] = [
  { key: 'temperature', label: 'Temperature', step: 0.1 },
  { key: 'topK', label: 'Top-k (0 = all)', step: 1 },
  { key: 'topP', label: 'Top-p', step: 0.05 },
  { key: 'length', label: 'Length (tokens)', step: 1 },
  { key: 'seed', label: 'Seed', step: 1 },
];
const within = (v: number, r: NumberRange) =>
  Number.isFinite(v) && (r.minExclusive ? v > r.min : v >= r.min) && v <= r.max && (!r.integer || Number.isInteger(v));
const inputs = new Map<string, HTMLInputElement>();
const settingsRow = el('div', { class: 'row settings' }, ...numberSettings.map((s) => {
  const input = el('input', { id: `setting-${s.key}`, type: 'number', step: s.step });
  input.addEventListener('change', () => {
    if (!view.settings || !view.limits) return;
    const v = Number(input.value);
    const ok = within(v, view.limits[s.key]);
    input.classList.toggle('invalid', !ok);
    if (ok) view.settings = { ...view.settings, [s.key]: v };
  });
  inputs.set(s.key, input);
  return el('label', { class: 'setting' }, el('span', { class: 'muted' }, s.label), input);
}));

const generateButton = button('Generate', () => generate(), 'primary', { id: 'generate' });
const cancelButton = button('Cancel', () => send({ type: 'cancel' }), 'secondary', { id: 'cancel', disabled: true });
const clearButton = button('Clear History', () => { send({ type: 'clearHistory' }); clearHistory(); }, 'secondary', { id: 'clear-history' });
const message = el('p', { id: 'samples-message', class: 'muted', role: 'status' });
const history = el('div', { id: 'history', class: 'history', 'aria-live': 'polite' });

app.append(
  el('h1', {}, 'Samples'),
  el('div', { class: 'row' }, el('label', { for: 'model' }, 'Model'), modelSelect, browse),
  primeBox, settingsRow,
  el('div', { class: 'row' }, generateButton, cancelButton, clearButton),
  message, history,
);

function generate(): void {
  if (!view.settings) return;                // before the host's init
  if (!view.model) {
    message.textContent = 'Pick a model first (a trained language model run or an ONNX file).';
    return;
  }
  if ([...inputs.values()].some((i) => i.classList.contains('invalid'))) {
    message.textContent = 'Fix the settings marked in red first.';
    return;
  }
  message.textContent = '';
  const model = view.model, settings = view.settings;
  view.models = view.models.map((m) => (m.path === model ? { ...m, settings } : m));   // the host remembers them too
  send({ type: 'generate', model, settings });
}

function showModels(models: readonly ModelOption[], selected: string | null): void {
  view.models = [...models];
  view.model = selected ?? view.model ?? models[0]?.path ?? null;
  modelSelect.replaceChildren(...models.map((m) => el('option', { value: m.path }, m.description ? `${m.label} (${m.description})` : m.label)));
  if (view.model) modelSelect.value = view.model;
  if (!models.length) message.textContent = 'No language model yet: train one on a text file, or open an ONNX model.';
}

function showLimits(limits: SampleLimits): void {
  view.limits = limits;
  for (const n of numberSettings) {
    inputs.get(n.key)!.min = String(limits[n.key].min);
    inputs.get(n.key)!.max = String(limits[n.key].max);
  }
}

function showSettings(s: SampleSettings): void {
  view.settings = s;
  primeBox.value = s.prime;
  for (const n of numberSettings) inputs.get(n.key)!.value = String(s[n.key]);
}

function setStreaming(id: number | null): void {
  view.streaming = id;
  cancelButton.toggleAttribute('disabled', id === null);
  generateButton.toggleAttribute('disabled', id !== null);
}

function describe(r: SampleRecord): string {
  const s = r.settings;
  return `${r.model} · T ${s.temperature}${s.topK ? ` · top-k ${s.topK}` : ''}${s.topP < 1 ? ` · top-p ${s.topP}` : ''} · seed ${s.seed}`;
}

function statusText(r: SampleRecord): string {
  const tokens = `${r.tokens} token${r.tokens === 1 ? '' : 's'}`;
  switch (r.status) {
    case 'streaming': return `${tokens}…`;
    case 'done': return tokens;
    case 'cancelled': return `${tokens}, cancelled`;
    case 'failed': return `failed: ${r.message ?? ''}`;
    default: { const never: never = r.status; return never; }
  }
}

function addCard(r: SampleRecord, atTop: boolean): void {
  const primeSpan = el('span', { class: 'prime' }, r.settings.prime);
  const generated = el('span', { class: 'generated' }, r.text.slice(r.settings.prime.length));
  const status = el('span', { class: 'muted sample-status' }, statusText(r));
  const card = el('section', { class: 'card sample', 'data-sample-id': r.id },
    el('div', { class: 'row sample-head' }, el('span', { class: 'muted' }, describe(r)), status,
      button('Copy', () => send({ type: 'copy', id: r.id }), 'secondary', { class: 'copy', title: 'Copy the text' }),
      button('Insert', () => send({ type: 'insert', id: r.id }), 'secondary', { class: 'insert', title: 'Insert into the active editor' })),
    el('pre', { class: 'sample-text' }, primeSpan, generated));
  cards.set(r.id, { card, generated, status, record: r });
  if (atTop) history.prepend(card); else history.append(card);
}

function clearHistory(): void {
  for (const [id, c] of cards) {
    if (id === view.streaming) continue;
    c.card.remove();
    cards.delete(id);
  }
}

onMessage<HostToSamples>((m) => {
  switch (m.type) {
    case 'init':
      showModels(m.models, m.selected);
      showLimits(m.limits);
      showSettings(m.settings);
      history.replaceChildren();
      cards.clear();
      for (const r of m.history) addCard(r, false);
      setStreaming(m.history.find((r) => r.status === 'streaming')?.id ?? null);
      break;
    case 'models': {
      showModels(m.models, m.selected);
      const selected = m.models.find((o) => o.path === view.model);
      if (selected && view.streaming === null) showSettings(selected.settings);
      break;
    }
    case 'started':
      addCard(m.sample, true);
      setStreaming(m.sample.id);
      break;
    case 'chunk': {
      const c = cards.get(m.id);
      if (!c) break;
      c.generated.append(m.text);
      c.record = { ...c.record, tokens: m.tokens };
      c.status.textContent = statusText(c.record);
      break;
    }
    case 'finished': {
      const c = cards.get(m.id);
      if (c) {
        c.record = { ...c.record, status: m.status, tokens: m.tokens, message: m.message };
        c.status.textContent = statusText(c.record);
        c.card.classList.toggle('failed', m.status === 'failed');
      }
      if (view.streaming === m.id) setStreaming(null);
      break;
    }
    default: {
      const never: never = m;
      throw new Error(`samples: unknown message ${JSON.stringify(never)}`);
    }
  }
});

send({ type: 'ready' });
