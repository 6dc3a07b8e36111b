// The Embeddings panel (browser side), after TensorBoard's Embedding Projector: the words projected
// by PCA or UMAP (in a web worker) in 2-D or 3-D on a canvas, labels, search, a word's nearest
// neighbours with cosines and an analogy box. Queries go to the host, which answers them over every
// word in the inference worker; only the drawing is limited to the most frequent words.
// Receives HostToEmbeddings, sends EmbeddingsToHost.
import type { EmbeddingNeighbor, EmbeddingSpace, EmbeddingsState, EmbeddingsToHost, HostToEmbeddings, PlacedWords, ProjectionMethod } from '../../src/protocol/embeddings';
import { el, initialState } from '../shared/toolkit';
import { onMessage, post, vscodeApi } from '../shared/vscode';
import type { FromWorker, ToWorker } from './worker';
import './embeddings.css';

const send = (m: EmbeddingsToHost) => post(m);
const NEIGHBORS = 10;
/** UMAP on the browser's thread budget: at most this many of the drawn words. */
const UMAP_POINTS = 2000;
/** With labels on, the most frequent words labelled. */
const LABELLED = 150;

interface Boot extends EmbeddingsState { readonly workerUrl: string }
const boot = initialState<Boot>();
const saved = vscodeApi<EmbeddingsState>().getState();

const view = {
  space: null as EmbeddingSpace | null,
  method: (saved?.method ?? boot?.method ?? 'pca') as ProjectionMethod,
  dims: (saved?.dims ?? boot?.dims ?? 2) as 2 | 3,
  labels: true,
  points: 0,                         // words projected (the first `points` of the space)
  coords: null as Float32Array | null,
  extra: new Map<string, number[]>(),   // words placed later (a query's words not projected)
  selected: null as string | null,
  neighbors: [] as EmbeddingNeighbor[],
  analogy: null as { query: readonly string[]; answers: readonly EmbeddingNeighbor[] } | null,
  matches: [] as number[],
  yaw: 0.6, pitch: 0.35, zoom: 1,
  request: 0,
};
const index = new Map<string, number>();
const persist = () => { if (boot) vscodeApi<EmbeddingsState>().setState({ source: boot.source, method: view.method, dims: view.dims }); };

// ---- layout -------------------------------------------------------------------------------
const app = document.getElementById('app')!;
const sourceLine = el('p', { id: 'embeddings-source', class: 'muted' }, 'Loading…');
const status = el('span', { id: 'embeddings-status', class: 'muted', role: 'status', 'aria-live': 'polite' });
const methodSelect = el('select', { id: 'projection', 'aria-label': 'Projection' },
  el('option', { value: 'pca' }, 'PCA'), el('option', { value: 'umap' }, 'UMAP'));
const dimsSelect = el('select', { id: 'dimensions', 'aria-label': 'Dimensions' }, el('option', { value: '2' }, '2-D'), el('option', { value: '3' }, '3-D'));
const labelsBox = el('input', { id: 'labels', type: 'checkbox', checked: true });
const search = el('input', { id: 'search', type: 'search', placeholder: 'Search a word…', 'aria-label': 'Search a word', autocomplete: 'off', spellcheck: 'false' });
const canvas = el('canvas', { id: 'projection-canvas', role: 'img', tabindex: 0, 'aria-label': 'Projection of the word vectors' });
const selectedLine = el('p', { id: 'selected-word', class: 'muted' }, 'Click a point, search a word, or use Show in Embeddings on a word in the editor.');
const neighborList = el('ol', { id: 'neighbors', class: 'words', 'aria-label': 'Nearest neighbours' });
const matchList = el('ul', { id: 'matches', class: 'words matches', 'aria-label': 'Words matching the search' });
const analogyInputs = ['a', 'b', 'c'].map((k) => el('input', { id: `analogy-${k}`, type: 'text', 'aria-label': `Analogy word ${k.toUpperCase()}`, spellcheck: 'false' }));
const analogyGo = el('button', { id: 'analogy-go', type: 'button' }, 'Solve');
const analogyList = el('ol', { id: 'analogy-answers', class: 'words', 'aria-label': 'Analogy answers' });

methodSelect.value = view.method;
dimsSelect.value = String(view.dims);
app.append(
  el('div', { class: 'row toolbar' },
    el('h1', {}, 'Embeddings'), sourceLine),
  el('div', { class: 'row toolbar' },
    el('label', { for: 'projection' }, 'Projection'), methodSelect,
    el('label', { for: 'dimensions' }, 'View'), dimsSelect,
    el('label', { class: 'check' }, labelsBox, 'Labels'),
    search, status),
  el('div', { class: 'layout' },
    el('div', { class: 'stage' }, canvas),
    el('aside', { class: 'side' },
      el('h2', {}, 'Nearest words'), selectedLine, neighborList, matchList,
      el('h2', {}, 'Analogy'),
      el('div', { class: 'analogy' }, analogyInputs[0], el('span', {}, 'is to'), analogyInputs[1], el('span', {}, 'as'), analogyInputs[2], el('span', {}, 'is to ?'), analogyGo),
      analogyList)),
);

// ---- projection worker ----------------------------------------------------------------------
let worker: Worker | null = null;
let workerReady: Promise<Worker> | null = null;
/** The worker script is fetched and started from a blob: a webview cannot start a worker from its resource URL. */
function ensureWorker(): Promise<Worker> {
  workerReady ??= fetch(boot!.workerUrl).then((r) => r.text()).then((code) => {
    worker = new Worker(URL.createObjectURL(new Blob([code], { type: 'text/javascript' })));
    worker.onmessage = (e: MessageEvent<FromWorker>) => fromWorker(e.data);
    return worker;
  });
  return workerReady;
}
const toWorker = async (m: ToWorker) => (await ensureWorker()).postMessage(m);
const placeRequests = new Map<number, readonly string[]>();
let placeId = 0;

function fromWorker(m: FromWorker): void {
  switch (m.type) {
    case 'progress':
      if (m.id === view.request) status.textContent = `UMAP ${Math.round((100 * m.done) / m.total)}%…`;
      break;
    case 'projected': {
      if (m.id !== view.request) break;
      view.coords = m.coords;
      view.extra.clear();
      status.textContent = `${view.method === 'pca' ? 'PCA' : 'UMAP'} of ${view.points.toLocaleString('en-US')} words`
        + (m.explained.length ? ` (${m.explained.map((x) => `${(100 * x).toFixed(1)}%`).join(' + ')} of the variance)` : '');
      canvas.dataset.projected = `${view.method}-${view.dims}`;
      draw();
      send({ type: 'projected', method: view.method, dims: view.dims, points: view.points });
      if (view.selected) send({ type: 'neighbors', word: view.selected, k: NEIGHBORS });
      break;
    }
    case 'placed': {
      const words = placeRequests.get(m.id);
      placeRequests.delete(m.id);
      if (!words) break;
      words.forEach((w, i) => view.extra.set(w, Array.from(m.coords.subarray(i * view.dims, (i + 1) * view.dims))));
      draw();
      break;
    }
    case 'failed':
      status.textContent = `Projection failed: ${m.message}`;
      break;
    default: {
      const never: never = m;
      throw new Error(`embeddings: unknown worker message ${JSON.stringify(never)}`);
    }
  }
}

function reproject(): void {
  const space = view.space;
  if (!space) return;
  view.points = view.method === 'umap' ? Math.min(space.drawn, UMAP_POINTS) : space.drawn;
  view.coords = null;
  const id = ++view.request;
  status.textContent = view.method === 'umap' ? 'UMAP…' : 'PCA…';
  delete canvas.dataset.projected;
  draw();
  void toWorker({ type: 'project', id, method: view.method, dims: view.dims, vectors: space.vectors.slice(0, view.points * space.E), N: view.points, E: space.E, seed: 1 });
}

/** Words of an answer that are not projected get a place from the fitted projection. */
function place(placed: PlacedWords): void {
  const E = view.space?.E ?? 0;
  const missing: number[] = [];
  placed.words.forEach((w, i) => { const at = index.get(w); if ((at === undefined || at >= view.points) && !view.extra.has(w)) missing.push(i); });
  if (!missing.length || !view.coords) return;
  const vectors = new Float32Array(missing.length * E);
  missing.forEach((i, k) => vectors.set(placed.vectors.subarray(i * E, (i + 1) * E), k * E));
  const id = --placeId;   // negative ids: placing never supersedes a projection
  placeRequests.set(id, missing.map((i) => placed.words[i]));
  void toWorker({ type: 'place', id, vectors, N: missing.length });
}

// ---- drawing --------------------------------------------------------------------------------
const cssVar = (name: string, fallback: string) => getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
interface Screen { x: number; y: number; depth: number }
let screen: Screen[] = [];

function coordOf(word: string): number[] | null {
  const at = index.get(word);
  if (at !== undefined && at < view.points && view.coords) return Array.from(view.coords.subarray(at * view.dims, (at + 1) * view.dims));
  return view.extra.get(word) ?? null;
}

function draw(): void {
  const ratio = window.devicePixelRatio || 1;
  const width = canvas.clientWidth, height = canvas.clientHeight;
  canvas.width = Math.round(width * ratio);
  canvas.height = Math.round(height * ratio);
  const g = canvas.getContext('2d')!;
  g.setTransform(ratio, 0, 0, ratio, 0, 0);
  g.clearRect(0, 0, width, height);
  const coords = view.coords;
  screen = [];
  if (!coords || !view.space) return;
  const D = view.dims, n = view.points;
  let scale = 1e-9;
  for (let i = 0; i < n * D; i++) scale = Math.max(scale, Math.abs(coords[i]));
  const half = Math.min(width, height) / 2 - 24;
  const [cy, sy, cp, sp] = [Math.cos(view.yaw), Math.sin(view.yaw), Math.cos(view.pitch), Math.sin(view.pitch)];
  const toScreen = (c: readonly number[]): Screen => {
    let [x, y, z] = [c[0] / scale, c[1] / scale, D === 3 ? c[2] / scale : 0];
    if (D === 3) {
      [x, z] = [x * cy + z * sy, -x * sy + z * cy];
      [y, z] = [y * cp - z * sp, y * sp + z * cp];
      const f = 3 / (3 + z);
      return { x: width / 2 + x * half * f * view.zoom, y: height / 2 - y * half * f * view.zoom, depth: z };
    }
    return { x: width / 2 + x * half * view.zoom, y: height / 2 - y * half * view.zoom, depth: 0 };
  };
  const colors = {
    point: cssVar('--vscode-charts-blue', '#3794ff'), match: cssVar('--vscode-charts-purple', '#b180d7'),
    selected: cssVar('--vscode-charts-orange', '#d18616'), neighbor: cssVar('--vscode-charts-green', '#89d185'),
    label: cssVar('--vscode-foreground', '#888'), muted: cssVar('--vscode-descriptionForeground', '#888'),
  };
  g.globalAlpha = 0.55;
  g.fillStyle = colors.point;
  for (let i = 0; i < n; i++) {
    const s = toScreen(Array.from(coords.subarray(i * D, (i + 1) * D)));
    screen.push(s);
    const r = D === 3 ? Math.max(1, 2.2 - s.depth) : 2;
    g.fillRect(s.x - r / 2, s.y - r / 2, r, r);
  }
  g.globalAlpha = 1;
  g.font = `${cssVar('--vscode-font-size', '12px')} ${cssVar('--vscode-font-family', 'sans-serif')}`;
  const words = view.space.words;
  const label = (word: string, color: string, size: number, bold = false) => {
    const c = coordOf(word);
    if (!c) return;
    const s = toScreen(c);
    g.fillStyle = color;
    g.beginPath();
    g.arc(s.x, s.y, size, 0, 2 * Math.PI);
    g.fill();
    g.font = `${bold ? '600 ' : ''}${cssVar('--vscode-font-size', '12px')} ${cssVar('--vscode-font-family', 'sans-serif')}`;
    g.fillText(word, s.x + size + 3, s.y + 4);
  };
  if (view.labels) {
    // Words drawn in colour below get no grey label as well.
    const highlighted = new Set<string>([...(view.selected ? [view.selected] : []), ...view.neighbors.map((nb) => nb.word),
      ...view.matches.slice(0, 50).map((i) => words[i]), ...(view.analogy ? [...view.analogy.query, ...view.analogy.answers.slice(0, 1).map((a) => a.word)] : [])]);
    g.fillStyle = colors.muted;
    for (let i = 0; i < Math.min(LABELLED, n); i++) if (!highlighted.has(words[i])) g.fillText(words[i], screen[i].x + 3, screen[i].y - 3);
  }
  for (const i of view.matches.slice(0, 50)) label(words[i], colors.match, 3);
  const selected = view.selected ? coordOf(view.selected) : null;
  if (selected) {
    const s = toScreen(selected);
    g.strokeStyle = colors.neighbor;
    g.globalAlpha = 0.5;
    for (const nb of view.neighbors) {
      const c = coordOf(nb.word);
      if (!c) continue;
      const t = toScreen(c);
      g.beginPath(); g.moveTo(s.x, s.y); g.lineTo(t.x, t.y); g.stroke();
    }
    g.globalAlpha = 1;
  }
  for (const nb of view.neighbors) label(nb.word, colors.neighbor, 3.5);
  if (view.analogy) {
    view.analogy.query.forEach((w) => label(w, colors.selected, 3.5));
    if (view.analogy.answers[0]) label(view.analogy.answers[0].word, colors.neighbor, 4.5, true);
  }
  if (view.selected) label(view.selected, colors.selected, 5, true);
}

// ---- interaction ------------------------------------------------------------------------------
function select(word: string): void {
  view.selected = word;
  selectedLine.textContent = `${word}: looking up its neighbours…`;
  send({ type: 'neighbors', word, k: NEIGHBORS });
}

const wordButton = (word: string, extra?: string) => {
  const b = el('button', { type: 'button', class: 'word' }, word);
  b.addEventListener('click', () => { search.value = word; select(word); });
  return el('li', {}, b, ...(extra ? [el('span', { class: 'cosine mono' }, extra)] : []));
};

function showMatches(): void {
  const q = search.value.trim().toLowerCase();
  view.matches = [];
  matchList.replaceChildren();
  if (q && view.space) {
    view.space.words.forEach((w, i) => { if (view.matches.length < 200 && w.toLowerCase().includes(q)) view.matches.push(i); });
    for (const i of view.matches.slice(0, 12)) matchList.append(wordButton(view.space.words[i]));
  }
  draw();
}
search.addEventListener('input', showMatches);
search.addEventListener('keydown', (e) => {
  if (e.key !== 'Enter' || !view.space) return;
  const q = search.value.trim();
  const exact = view.space.words.find((w) => w === q) ?? view.space.words.find((w) => w.toLowerCase() === q.toLowerCase());
  const word = exact ?? (view.matches.length ? view.space.words[view.matches[0]] : q);
  if (word) select(word);
});
methodSelect.addEventListener('change', () => { view.method = methodSelect.value as ProjectionMethod; persist(); reproject(); });
dimsSelect.addEventListener('change', () => { view.dims = Number(dimsSelect.value) as 2 | 3; persist(); reproject(); });
labelsBox.addEventListener('change', () => { view.labels = labelsBox.checked; draw(); });
analogyGo.addEventListener('click', () => {
  const [a, b, c] = analogyInputs.map((i) => i.value.trim());
  if (a && b && c) send({ type: 'analogy', a, b, c, k: 5 });
});
for (const input of analogyInputs) input.addEventListener('keydown', (e) => { if (e.key === 'Enter') analogyGo.click(); });

let drag: { x: number; y: number; moved: boolean } | null = null;
canvas.addEventListener('pointerdown', (e) => { drag = { x: e.clientX, y: e.clientY, moved: false }; canvas.setPointerCapture(e.pointerId); });
canvas.addEventListener('pointermove', (e) => {
  if (!drag || view.dims !== 3) return;
  const dx = e.clientX - drag.x, dy = e.clientY - drag.y;
  if (Math.abs(dx) + Math.abs(dy) < 2) return;
  drag = { x: e.clientX, y: e.clientY, moved: true };
  view.yaw += dx * 0.01;
  view.pitch = Math.max(-1.5, Math.min(1.5, view.pitch + dy * 0.01));
  draw();
});
canvas.addEventListener('pointerup', (e) => {
  const wasDrag = drag?.moved;
  drag = null;
  if (wasDrag || !view.space) return;
  const r = canvas.getBoundingClientRect();
  const x = e.clientX - r.left, y = e.clientY - r.top;
  let best = -1, bestD = 64;
  screen.forEach((s, i) => { const d = (s.x - x) ** 2 + (s.y - y) ** 2; if (d < bestD) { bestD = d; best = i; } });
  if (best >= 0) { search.value = view.space.words[best]; select(view.space.words[best]); }
});
canvas.addEventListener('wheel', (e) => { e.preventDefault(); view.zoom = Math.max(0.3, Math.min(20, view.zoom * Math.exp(-e.deltaY * 0.001))); draw(); }, { passive: false });
canvas.addEventListener('keydown', (e) => {
  const turn: Record<string, [number, number]> = { ArrowLeft: [-0.1, 0], ArrowRight: [0.1, 0], ArrowUp: [0, -0.1], ArrowDown: [0, 0.1] };
  if (e.key in turn && view.dims === 3) { view.yaw += turn[e.key][0]; view.pitch += turn[e.key][1]; draw(); e.preventDefault(); }
  if (e.key === '+' || e.key === '-') { view.zoom *= e.key === '+' ? 1.2 : 1 / 1.2; draw(); }
});
new ResizeObserver(() => draw()).observe(canvas);
new MutationObserver(() => draw()).observe(document.body, { attributes: true, attributeFilter: ['class'] });

// ---- messages -----------------------------------------------------------------------------------
onMessage<HostToEmbeddings>((m) => {
  switch (m.type) {
    case 'loading':
      sourceLine.textContent = `Loading ${m.source}…`;
      break;
    case 'space': {
      const s = m.space;
      view.space = s;
      index.clear();
      s.words.forEach((w, i) => index.set(w, i));
      sourceLine.textContent = `${s.source} · ${s.origin} · ${s.words.length.toLocaleString('en-US')} words of ${s.E} dimensions`
        + (s.drawn < s.words.length ? ` · the ${s.drawn.toLocaleString('en-US')} most frequent drawn` : '');
      reproject();
      showMatches();
      break;
    }
    case 'neighbors':
      view.selected = m.word;
      view.neighbors = [...m.neighbors];
      selectedLine.textContent = `Nearest to “${m.word}” (cosine):`;
      neighborList.replaceChildren(...m.neighbors.map((n) => wordButton(n.word, n.cosine.toFixed(3))));
      place(m.placed);
      draw();
      break;
    case 'analogy':
      view.analogy = { query: m.query, answers: m.answers };
      analogyList.replaceChildren(...m.answers.map((n) => wordButton(n.word, n.cosine.toFixed(3))));
      place(m.placed);
      draw();
      break;
    case 'select':
      search.value = m.word;
      showMatches();
      select(m.word);
      break;
    case 'error':
      status.textContent = m.message;
      status.setAttribute('role', 'alert');
      if (view.selected) selectedLine.textContent = m.message;
      break;
    default: {
      const never: never = m;
      throw new Error(`embeddings: unknown message ${JSON.stringify(never)}`);
    }
  }
});
persist();
send({ type: 'ready' });
