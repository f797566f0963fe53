// Plain-DOM baseline for bench.mjs: what the app's two main tables cost with no framework.
// It reads the key the same way the app does (sessionStorage `groups-console.key`, bound to
// its host), fetches the same JSON with the same headers, and builds the same table (same
// caption, columns, classes, links, inputs and buttons) with DOM calls. bench.mjs records the
// time the rows appear with the same MutationObserver it uses on the app.
//
//   /baseline.html?view=group-types&host=<origin>&project=1
//   /baseline.html?view=metrics&index=0&host=<origin>&project=1&limit=100&offset=0
//
// `host` may be another origin than the page's (the API's, as deployed): each fetch then pays
// a CORS preflight (it sends Authorization), as the app's fetches do.

const STORED_KEY = 'groups-console.key';
const params = new URLSearchParams(location.search);
const host = params.get('host') ?? location.origin;
const project = params.get('project') ?? '1';
const view = params.get('view') ?? 'group-types';
const main = document.getElementById('main');
const title = document.getElementById('title');

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === 'class') node.className = value;
    else if (name === 'value') node.value = value;
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(child);
  }
  return node;
}

function fail(message) {
  main.append(el('p', { class: 'error-panel', role: 'alert' }, message));
  window.__baselineError = message;
}

async function api(path) {
  const stored = JSON.parse(sessionStorage.getItem(STORED_KEY) ?? 'null');
  if (!stored || stored.host !== host) throw new Error('no key stored for this host');
  const res = await fetch(`${host}/api/projects/${project}/${path}`, {
    headers: { Authorization: `Bearer ${stored.key}` },
    credentials: 'omit',
  });
  if (!res.ok) throw new Error(`HTTP ${res.status} for ${path}`);
  return res.json();
}

const keep = `host=${encodeURIComponent(host)}&project=${encodeURIComponent(project)}`;
const defaultPlural = (key) => `${key}(s)`;

// ---- Group types ----

function groupTypesTable(list) {
  const hasDetails = list.some((g) => g.detail_dashboard !== null || g.default_columns !== null);
  const head = el('tr', {},
    el('th', { scope: 'col' }, 'Index'),
    el('th', { scope: 'col' }, 'Key'),
    el('th', { scope: 'col' }, 'Singular name'),
    el('th', { scope: 'col' }, 'Plural name'),
    el('th', { scope: 'col' }, 'Created'),
    hasDetails ? el('th', { scope: 'col' }, 'Settings') : null,
    el('th', { scope: 'col' }, 'Usage metrics'),
    el('th', { scope: 'col' }, el('span', { class: 'visually-hidden' }, 'Actions')));
  const body = el('tbody');
  for (const g of list) {
    const i = g.group_type_index;
    const input = (field, label, placeholder) => el('input', {
      id: `gt-${i}-${field}`, type: 'text', class: 'name-input', 'aria-label': `${label} of ${g.group_type}`,
      placeholder, value: g[field] ?? '',
    });
    const details = [];
    if (g.detail_dashboard !== null) details.push(`Dashboard ${g.detail_dashboard}`);
    if (g.default_columns !== null) details.push(`${g.default_columns.length} default columns`);
    body.append(el('tr', {},
      el('td', {}, String(i)),
      el('td', {}, el('code', {}, g.group_type)),
      el('td', {}, input('name_singular', 'Singular name', g.group_type)),
      el('td', {}, input('name_plural', 'Plural name', defaultPlural(g.group_type))),
      el('td', {}, g.created_at ? g.created_at.slice(0, 10) : '—'),
      hasDetails ? el('td', {}, details.join(', ') || '—') : null,
      el('td', {}, el('a', { href: `group-types/${i}/metrics?${keep}&limit=25&offset=0`, 'aria-label': `Usage metrics of ${g.group_type}` }, 'Metrics')),
      el('td', {}, el('button', { type: 'button', class: 'danger-link', 'aria-label': `Delete ${g.group_type}` }, 'Delete'))));
  }
  return el('table', { class: 'data-table group-types' },
    el('caption', { class: 'visually-hidden' }, 'Group types of this project'),
    el('thead', {}, head),
    body);
}

// ---- Metrics (the explanations follow src/state/explain.rs) ----

function calculation(m) {
  const p = (m.math_property ?? '').trim();
  if (m.math === 'count') return 'Count';
  if (m.math === 'sum') return p ? `Sum of ${p}` : 'Sum';
  return p ? `${m.math} of ${p}` : m.math;
}

function source(f) {
  const s = f?.source ?? 'events';
  if (s === 'events') return 'Events';
  if (s === 'data_warehouse') return `Warehouse: ${f.table_name ?? '(no table)'}`;
  return `Unknown source: ${s}`;
}

const list = (items) => (items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`);
const plural = (n, one, many) => (n === 1 ? `1 ${one}` : `${n} ${many}`);

function over(f) {
  const s = f?.source ?? 'events';
  if (s === 'data_warehouse') return `rows of the ${f.table_name ?? '(no table)'} table`;
  if (s !== 'events') return `an unknown source (${s})`;
  const events = (f.events ?? []).map((e) => e.name ?? e.id).filter(Boolean);
  const actions = (f.actions ?? []).length;
  const parts = [];
  if (events.length) parts.push(`${list(events)} events`);
  if (actions) parts.push(plural(actions, 'action', 'actions'));
  return parts.length ? parts.join(' and ') : 'all events';
}

function shown(m) {
  const money = m.format === 'currency';
  if (m.display === 'number') return money ? 'shown as an amount of money' : 'shown as a number';
  if (m.display === 'sparkline') return money ? 'shown as a sparkline of amounts of money' : 'shown as a sparkline';
  return `shown as ${m.display}`;
}

function sentence(m) {
  let text = `${calculation(m)} over ${over(m.filters ?? {})}`;
  const props = Array.isArray(m.filters?.properties) ? m.filters.properties.length : 0;
  if (props) text += `, with ${plural(props, 'property filter', 'property filters')}`;
  if (m.filters?.filter_test_accounts === true) text += ', excluding test accounts';
  text += `, in the last ${m.interval === 1 ? 'day' : `${m.interval} days`}, ${shown(m)}.`;
  return text;
}

const days = (n) => (n === 1 ? '1 day' : `${n} days`);

function metricsTable(index, metrics) {
  const sortable = (label) => el('th', { scope: 'col', 'aria-sort': 'none' }, el('button', { type: 'button', class: 'sort' }, label));
  const head = el('tr', {},
    sortable('Name'), sortable('Calculation'), el('th', { scope: 'col' }, 'Source'), sortable('Interval'),
    el('th', { scope: 'col' }, 'Format'), el('th', { scope: 'col' }, 'Display'), el('th', { scope: 'col' }, 'What it shows'),
    el('th', { scope: 'col' }, el('span', { class: 'visually-hidden' }, 'Actions')));
  const body = el('tbody');
  for (const m of metrics) {
    const base = `group-types/${index}/metrics/${m.id}`;
    body.append(el('tr', {},
      el('th', { scope: 'row' }, el('a', { href: `${base}?${keep}` }, m.name)),
      el('td', {}, calculation(m)),
      el('td', {}, source(m.filters)),
      el('td', {}, days(m.interval)),
      el('td', {}, m.format),
      el('td', {}, m.display),
      el('td', { class: 'sentence' }, sentence(m)),
      el('td', { class: 'row-actions' },
        el('a', { href: `${base}/edit?${keep}`, 'aria-label': `Edit ${m.name}` }, 'Edit'),
        el('button', { type: 'button', class: 'link', 'aria-label': `Copy ${m.name}` }, 'Copy'),
        el('button', { type: 'button', class: 'danger-link', 'aria-label': `Delete ${m.name}` }, 'Delete'))));
  }
  return el('table', { class: 'data-table metrics' },
    el('caption', { class: 'visually-hidden' }, 'Usage metrics of this project'),
    el('thead', {}, head),
    body);
}

async function run() {
  if (view === 'group-types') {
    title.textContent = 'Group types';
    const list = await api('groups_types/');
    main.append(groupTypesTable(list));
  } else if (view === 'metrics') {
    title.textContent = 'Usage metrics';
    const index = Number(params.get('index') ?? '0');
    const limit = params.get('limit') ?? '25';
    const offset = params.get('offset') ?? '0';
    const page = await api(`groups_types/${index}/metrics/?limit=${limit}&offset=${offset}`);
    main.append(metricsTable(index, page.results));
    const from = page.results.length ? Number(offset) + 1 : 0;
    main.append(el('nav', { 'aria-label': 'Pages' },
      el('p', { class: 'range' }, `${from}–${Number(offset) + page.results.length} of ${page.count}`)));
  } else {
    fail(`unknown view ${view}`);
  }
}

run().catch((e) => fail(String(e)));
