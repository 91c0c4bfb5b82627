/**
 * The layer explorer: open an image from a `docker save` / OCI archive
 * (file input or drag and drop) or from a registry, and show its layers,
 * their changes, the merged tree, file previews and wasted space. Only the
 * public API of 'layerfs' is used; everything runs in the page, offline
 * for archives. Images go to the OPFS store (a memory store where the
 * browser has no OPFS).
 */
import { LayerfsError, loadArchive, openBrowserStore, openMemoryStore, pullImage, type Image, type Store, type UnionView } from 'layerfs';
import { analyzeImage, type Analysis, type LayerReport } from './analyze.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const PALETTE = ['#4fb3ff', '#5bd17a', '#f0c050', '#c38bff', '#ff9f6b', '#5fd4d0', '#ff7fb0', '#b0c4de'];

let storePromise: Promise<Store> | undefined;
function store(): Promise<Store> {
  storePromise ??= openBrowserStore({ name: 'layerfs-explorer' }).catch(() => openMemoryStore());
  return storePromise;
}

let current: { analysis: Analysis; view: UnionView } | undefined;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: { class?: string; text?: string; title?: string } = {}, ...children: Node[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (props.class) e.className = props.class;
  if (props.text !== undefined) e.textContent = props.text;
  if (props.title) e.title = props.title;
  e.append(...children);
  return e;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = -1;
  do {
    v /= 1024;
    u++;
  } while (v >= 1024 && u < units.length - 1);
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[u]}`;
}

function status(text: string, error = false): void {
  const s = $('status');
  s.textContent = text;
  s.classList.toggle('error', error);
}

function badge(layer: number): HTMLElement {
  const b = el('span', { class: 'badge', text: `L${layer}`, title: `from layer ${layer}` });
  b.style.background = PALETTE[layer % PALETTE.length]!;
  return b;
}

function renderSummary(a: Analysis): void {
  const card = (value: string, label: string, cls = '') => el('div', { class: `card ${cls}` }, el('b', { text: value }), el('span', { text: label }));
  const pct = (a.efficiency * 100).toFixed(1);
  $('summary').replaceChildren(
    card(a.image.id.slice(7, 19), 'image id'),
    card(String(a.layers.length), 'layers'),
    card(formatBytes(a.layers.reduce((n, l) => n + l.size, 0)), 'stored size'),
    card(formatBytes(a.totalContent), 'layer content'),
    card(`${pct} %`, 'efficiency (dive)', `score ${a.efficiency < 0.9 ? 'low' : ''}`),
    card(formatBytes(a.wastedBytes), 'wasted space (dive)'),
    card(formatBytes(a.hiddenBytes), 'overwritten or deleted below'),
  );
  $('summary').dataset.efficiency = String(a.efficiency);
  $('summary').dataset.wasted = String(a.wastedBytes);
}

function renderLayers(a: Analysis): void {
  const body = $('layers').querySelector('tbody')!;
  body.replaceChildren(
    ...a.layers.map((l) => {
      const tr = el(
        'tr',
        {},
        el('td', {}, badge(l.index)),
        el('td', { class: 'digest', text: l.shortDigest, title: l.digest }),
        el('td', { class: 'num', text: formatBytes(l.size) }),
        el('td', { class: 'num' }, el('span', { class: 'a', text: `+${l.added} ` }), el('span', { class: 'm', text: `~${l.modified} ` }), el('span', { class: 'd', text: `-${l.deleted}` })),
        el('td', { class: 'cmd', text: l.createdBy || '(no history)', title: l.createdBy }),
      );
      tr.dataset.layer = String(l.index);
      tr.addEventListener('click', () => selectLayer(l));
      return tr;
    }),
  );
}

function selectLayer(l: LayerReport): void {
  for (const tr of $('layers').querySelectorAll('tbody tr')) tr.classList.toggle('selected', (tr as HTMLElement).dataset.layer === String(l.index));
  $('changes-title').textContent = `Changes in layer ${l.index}`;
  const list = $('changes');
  if (l.changes.length === 0) {
    list.replaceChildren(el('li', { class: 'empty', text: 'no changes' }));
    return;
  }
  list.replaceChildren(
    ...l.changes.map((c) => {
      const li = el(
        'li',
        { class: c.kind.toLowerCase(), title: `${c.type}, ${formatBytes(c.size)}` },
        el('span', { class: `kind ${c.kind.toLowerCase()}`, text: c.kind }),
        el('span', { class: 'path', text: '/' + c.path + (c.type === 'directory' ? '/' : '') }),
      );
      li.dataset.kind = c.kind;
      li.dataset.path = c.path;
      return li;
    }),
  );
}

function renderTree(a: Analysis): void {
  $('tree').replaceChildren(
    ...a.tree.map((r) => {
      const li = el(
        'li',
        { class: r.type === 'directory' ? 'dir' : r.type === 'file' ? 'file' : 'other' },
        badge(r.layer),
        el('span', { class: 'name', text: r.name + (r.type === 'directory' ? '/' : r.type === 'symlink' ? ` -> ${r.linkname}` : '') }),
        el('span', { class: 'size', text: r.type === 'file' ? formatBytes(r.size) : '' }),
      );
      li.style.paddingLeft = `${4 + r.depth * 16}px`;
      li.dataset.path = r.path;
      li.dataset.layer = String(r.layer);
      if (r.type === 'file') li.addEventListener('click', () => void preview(r.path, li));
      return li;
    }),
  );
}

async function preview(path: string, li: HTMLElement): Promise<void> {
  if (!current) return;
  for (const x of $('tree').querySelectorAll('li.selected')) x.classList.remove('selected');
  li.classList.add('selected');
  $('preview-title').textContent = `Preview: /${path}`;
  const bytes = await current.view.readFile(path);
  const head = bytes.subarray(0, 64 * 1024);
  const text = new TextDecoder('utf-8', { fatal: false }).decode(head);
  // Text when it decodes without replacement characters or NULs; else a hex dump of the start.
  const binary = /[\u0000\uFFFD]/.test(text);
  $('preview').textContent = binary
    ? Array.from(head.subarray(0, 512), (b, i) => (i % 16 === 0 ? `\n${i.toString(16).padStart(6, '0')}  ` : '') + b.toString(16).padStart(2, '0') + ' ').join('').trim()
    : text + (bytes.length > head.length ? `\n… (${formatBytes(bytes.length)} in all)` : '');
}

function renderWaste(a: Analysis): void {
  const body = $('waste').querySelector('tbody')!;
  if (a.inefficiencies.length === 0) {
    body.replaceChildren(el('tr', {}, el('td', { class: 'empty', text: 'none' })));
    return;
  }
  body.replaceChildren(...a.inefficiencies.map((x) => el('tr', {}, el('td', { class: 'num', text: String(x.count) }), el('td', { class: 'num', text: formatBytes(x.cumulative) }), el('td', { text: '/' + x.path }))));
}

async function show(image: Image, what: string): Promise<void> {
  status(`Reading ${what}…`);
  const s = await store();
  current = await analyzeImage(s, image);
  const a = current.analysis;
  renderSummary(a);
  renderLayers(a);
  renderTree(a);
  renderWaste(a);
  if (a.layers.length) selectLayer(a.layers[a.layers.length - 1]!);
  $('preview').textContent = 'Click a file in the merged tree.';
  $('app').hidden = false;
  status(`${what}: ${a.layers.length} layers, ${a.tree.length} paths, efficiency ${(a.efficiency * 100).toFixed(1)} %`);
  document.body.dataset.ready = 'true';
}

function fail(e: unknown): void {
  const msg = e instanceof LayerfsError ? `${e.code}: ${e.message}` : e instanceof Error ? e.message : String(e);
  status(msg, true);
  document.body.dataset.ready = 'error';
}

async function openFile(file: File): Promise<void> {
  document.body.dataset.ready = 'loading';
  try {
    status(`Loading ${file.name} (${formatBytes(file.size)})…`);
    const r = await loadArchive(await store(), file);
    await show(r.image, file.name);
  } catch (e) {
    fail(e);
  }
}

async function pull(ref: string): Promise<void> {
  document.body.dataset.ready = 'loading';
  try {
    status(`Pulling ${ref}…`);
    const r = await pullImage(await store(), ref.includes('://') ? ref : `docker://${ref}`);
    await show(r.image, ref);
  } catch (e) {
    fail(e);
  }
}

const input = $<HTMLInputElement>('file');
input.addEventListener('change', () => {
  const f = input.files?.[0];
  if (f) void openFile(f);
});
const drop = $('drop');
drop.addEventListener('dragover', (e) => {
  e.preventDefault();
  drop.classList.add('over');
});
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', (e) => {
  e.preventDefault();
  drop.classList.remove('over');
  const f = e.dataTransfer?.files?.[0];
  if (f) void openFile(f);
});
$('open').addEventListener('submit', (e) => {
  e.preventDefault();
  const ref = $<HTMLInputElement>('ref').value.trim();
  if (ref) void pull(ref);
});
document.body.dataset.ready = 'idle';
