// The trustmesh dashboard: polls the JSON API and draws each view. Data from the mesh (SPIFFE IDs,
// reasons, names) comes from peers and logs, so it is only ever set as text (textContent, SVG text
// nodes), never parsed as markup; the Content-Security-Policy forbids inline code besides.
'use strict';

const SVG = 'http://www.w3.org/2000/svg';
const EDGE_POLL_MS = 1500;
const SLOW_POLL_MS = 10000;

function el(tag, attrs, text) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

function svg(tag, attrs, text) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

async function api(name) {
  const r = await fetch('/api/' + name, { cache: 'no-store', credentials: 'omit' });
  const body = await r.json();
  if (!r.ok) throw new Error(body.error || ('HTTP ' + r.status));
  return body;
}

const problems = new Map();
function problem(view, message) {
  if (message) problems.set(view, message); else problems.delete(view);
  const p = document.getElementById('problems');
  p.textContent = [...problems.values()].join(' · ');
  p.hidden = problems.size === 0;
}

function duration(seconds) {
  if (seconds === null || seconds === undefined) return 'unknown';
  if (seconds <= 0) return 'expired';
  const d = Math.floor(seconds / 86400), h = Math.floor((seconds % 86400) / 3600), m = Math.floor((seconds % 3600) / 60);
  if (d >= 365) return Math.floor(d / 365) + 'y ' + (d % 365) + 'd';
  if (d > 0) return d + 'd ' + h + 'h';
  if (h > 0) return h + 'h ' + m + 'm';
  return m + 'm ' + (seconds % 60) + 's';
}

// ---- edges: table and graph ----

function renderEdges(doc) {
  const tbody = document.querySelector('#edges-table tbody');
  tbody.replaceChildren();
  for (const e of doc.edges) {
    const tr = el('tr', { class: 'edge ' + e.category, 'data-src': e.src, 'data-dst': e.dst, 'data-category': e.category });
    const cells = [e.src, e.dst, e.src_namespace || '-', e.dst_namespace || '-', e.client_id || '-', e.server_id || '-', e.secured, String(e.connections)];
    cells.forEach((c, i) => tr.append(el('td', { class: i === 4 || i === 5 ? 'id' : i === 6 ? 'secured' : i === 7 ? 'count' : '' }, c)));
    tbody.append(tr);
  }
  drawGraph(doc);
}

function drawGraph(doc) {
  const g = document.getElementById('edges-graph');
  g.replaceChildren();
  const defs = svg('defs');
  for (const c of ['mtls', 'plaintext', 'denied', 'handshake_failure', 'other']) {
    const m = svg('marker', { id: 'arrow-' + c, viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' });
    m.append(svg('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: 'arrowhead', style: 'fill: var(--' + c + ')' }));
    defs.append(m);
  }
  g.append(defs);
  const inMesh = new Set(doc.services.map(s => s.name));
  const names = [...doc.services.map(s => s.name)];
  for (const e of doc.edges) for (const n of [e.src, e.dst]) if (!names.includes(n)) names.push(n);
  const W = 720, H = 420, R = Math.min(W, H) / 2 - 50, cx = W / 2, cy = H / 2;
  const pos = new Map();
  names.forEach((n, i) => {
    const a = -Math.PI / 2 + (2 * Math.PI * i) / Math.max(names.length, 1);
    pos.set(n, { x: cx + R * Math.cos(a), y: cy + R * Math.sin(a) });
  });
  const pairCount = new Map();
  for (const e of doc.edges) {
    const a = pos.get(e.src), b = pos.get(e.dst);
    const key = [e.src, e.dst].sort().join('\u0000');
    const k = pairCount.get(key) || 0;
    pairCount.set(key, k + 1);
    const dx = b.x - a.x, dy = b.y - a.y, len = Math.hypot(dx, dy) || 1;
    const ux = dx / len, uy = dy / len, r = 24;
    const sx = a.x + ux * r, sy = a.y + uy * r, tx = b.x - ux * r, ty = b.y - uy * r;
    const bend = 30 + 28 * k, mx = (sx + tx) / 2 - uy * bend, my = (sy + ty) / 2 + ux * bend;
    const p = svg('path', { d: `M ${sx} ${sy} Q ${mx} ${my} ${tx} ${ty}`, class: 'edge ' + e.category, 'marker-end': `url(#arrow-${e.category})`, 'data-src': e.src, 'data-dst': e.dst });
    p.append(svg('title', {}, `${e.src} → ${e.dst}: ${e.secured}, ${e.connections} connection(s)`));
    g.append(p);
    const label = e.category === 'mtls' ? `${e.connections}` : `${e.secured} ×${e.connections}`;
    g.append(svg('text', { x: (sx + tx) / 2 - uy * bend * 0.55, y: (sy + ty) / 2 + ux * bend * 0.55, class: 'label', 'text-anchor': 'middle' }, label));
  }
  for (const n of names) {
    const { x, y } = pos.get(n);
    const node = svg('g', { class: 'node' + (inMesh.has(n) ? '' : ' outside'), 'data-name': n });
    node.append(svg('circle', { cx: x, cy: y, r: 22 }));
    const short = n.length > 28 ? '…' + n.slice(-27) : n;
    node.append(svg('text', { x, y: y + 36 }, short));
    g.append(node);
  }
}

// ---- hierarchy and timeline ----

function renderHierarchy(doc) {
  const byParent = new Map();
  for (const n of doc.nodes) {
    const k = n.parent || '';
    if (!byParent.has(k)) byParent.set(k, []);
    byParent.get(k).push(n);
  }
  const known = new Set(doc.nodes.map(n => n.id));
  const roots = doc.nodes.filter(n => !n.parent || !known.has(n.parent));
  const build = (list) => {
    const ul = el('ul');
    for (const n of list) {
      const li = el('li', { class: 'cert ' + n.kind, 'data-kind': n.kind });
      li.append(el('span', { class: 'kind ' + n.kind }, n.kind.replace('_', ' ')));
      li.append(el('span', { class: 'name' }, n.spiffe_id || n.subject));
      if (n.services && n.services.length) li.append(el('span', { class: 'muted' }, ' (' + n.services.join(', ') + ')'));
      const soon = n.expires_in_seconds !== null && n.expires_in_seconds < 600;
      li.append(el('span', { class: 'expiry' + (soon ? ' soon' : '') }, 'expires in ' + duration(n.expires_in_seconds)));
      const kids = byParent.get(n.id);
      if (kids && kids.length) li.append(build(kids));
      ul.append(li);
    }
    return ul;
  };
  document.getElementById('hierarchy').replaceChildren(build(roots));
  problem('hierarchy', doc.problems && doc.problems.length ? doc.problems.join('; ') : null);
  renderTimeline(doc);
}

function renderTimeline(doc) {
  const g = document.getElementById('timeline');
  g.replaceChildren();
  const rows = doc.nodes.filter(n => n.expires_in_seconds !== null).sort((a, b) => a.expires_in_seconds - b.expires_in_seconds);
  const rowH = 18, labelW = 300, W = 720;
  g.setAttribute('viewBox', `0 0 ${W} ${Math.max(rows.length, 1) * rowH + 24}`);
  const maxLog = Math.log10(Math.max(...rows.map(r => Math.max(r.expires_in_seconds, 1)), 60));
  rows.forEach((n, i) => {
    const y = i * rowH + 4;
    const w = Math.max(2, (W - labelW - 90) * Math.log10(Math.max(n.expires_in_seconds, 1)) / maxLog);
    const name = n.spiffe_id || n.subject;
    g.append(svg('text', { x: 0, y: y + 12 }, (name.length > 46 ? '…' + name.slice(-45) : name)));
    const soon = n.expires_in_seconds < 600;
    g.append(svg('rect', { x: labelW, y, width: w, height: rowH - 6, class: 'bar ' + n.kind + (soon ? ' soon' : '') }));
    g.append(svg('text', { x: labelW + w + 6, y: y + 12 }, duration(n.expires_in_seconds)));
  });
  g.append(svg('text', { x: labelW, y: rows.length * rowH + 18, class: 'muted' }, 'now'));
}

// ---- modes ----

function renderModes(doc) {
  const tbody = document.querySelector('#modes-table tbody');
  tbody.replaceChildren();
  for (const p of doc.ports) {
    const tr = el('tr', { 'data-service': p.service, 'data-port': String(p.port), 'data-mode': p.mode });
    tr.append(el('td', {}, p.service), el('td', {}, p.namespace), el('td', {}, String(p.port)), el('td', {}, p.name || ''),
      el('td', { class: 'mode-' + p.mode }, p.mode), el('td', {}, p.set_by), el('td', {}, p.listening ? String(p.listening) : '-'));
    tbody.append(tr);
  }
  problem('modes', doc.problem || null);
}

async function services() {
  try {
    const doc = await api('services');
    document.getElementById('trust-domain').textContent = doc.trust_domain ? 'trust domain ' + doc.trust_domain : '';
    problem('services', null);
  } catch (e) { problem('services', 'services: ' + e.message); }
}

function poll(name, render, every) {
  const run = async () => {
    try {
      render(await api(name));
      problem(name + '-fetch', null);
      document.getElementById('updated').textContent = 'updated ' + new Date().toLocaleTimeString();
    } catch (e) {
      problem(name + '-fetch', name + ': ' + e.message);
    }
    setTimeout(run, every);
  };
  run();
}

document.addEventListener('DOMContentLoaded', () => {
  services();
  poll('edges', renderEdges, EDGE_POLL_MS);
  poll('hierarchy', renderHierarchy, SLOW_POLL_MS);
  poll('modes', renderModes, SLOW_POLL_MS);
});
