// Seeds that look like anyone's PostHog project, not the demo's: the worst case (the longest
// names, tokens and numbers PostHog accepts) and generated datasets for the property-style
// layout test. Each is a sandbox seed file (`--seed`), checked by the sandbox with the API's
// own rules. `node tests/e2e/datasets.mjs` prints the worst case (kept as
// crates/sandbox/seed/worst-case.json).

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const demo = JSON.parse(readFileSync(join(root, 'crates', 'sandbox', 'seed', 'demo.json'), 'utf8'));

/** A small seeded generator (mulberry32): the same seed gives the same dataset. */
export function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = ['created', 'dashboard', 'invited', 'teammate', 'subscription', 'renewed', 'billing',
  'portal', 'session', 'recording', 'viewed', 'insight', 'exported', 'workspace', 'member', 'removed',
  'checkout', 'completed', 'feature', 'flag', 'evaluated', 'stripe', 'charges', 'monthly', 'active'];

/** `n` characters of snake_case words (`created_dashboard_invited_…`), cut to length. */
function snake(rand, n) {
  let out = '';
  while (out.length < n) out += (out ? '_' : '') + WORDS[Math.floor(rand() * WORDS.length)];
  return out.slice(0, n).replace(/_$/, 'x');
}

/** `n` characters of words and spaces. */
function spaced(rand, n) {
  let out = '';
  while (out.length < n) out += (out ? ' ' : '') + WORDS[Math.floor(rand() * WORDS.length)];
  return out.slice(0, n).trimEnd().padEnd(n, 'x');
}

/** A UUID made from a number, so ids are stable from run to run. */
function uuid(n) {
  const hex = n.toString(16).padStart(12, '0');
  return `7e57da7a-0000-4000-8000-${hex}`;
}

/** One metric: events (several, with their own property filters), actions, properties. */
function metric(rand, i, shape) {
  const { nameLength, spaces, eventLength, events, actions, properties, warehouse, currency } = shape;
  const number = String(i).padStart(5, '0');
  const name = spaces ? `${spaced(rand, nameLength - 6)} ${number}` : `${snake(rand, nameLength - 6)}_${number}`;
  const base = {
    id: uuid(i + 1),
    name,
    format: currency ? 'currency' : 'numeric',
    interval: [1, 7, 14, 30, 90, 365][i % 6],
    display: i % 2 ? 'sparkline' : 'number',
  };
  if (warehouse) {
    return {
      ...base, math: 'sum', math_property: warehouse.amount,
      filters: { source: 'data_warehouse', table_name: warehouse.table, timestamp_field: warehouse.time, key_field: warehouse.key },
    };
  }
  const prop = (k) => ({ key: snake(rand, Math.min(eventLength, 60)) + k, value: [snake(rand, 40)], operator: 'exact', type: 'event' });
  return {
    ...base,
    math: currency ? 'sum' : 'count',
    math_property: currency ? `${snake(rand, 50)}_amount` : null,
    filters: {
      events: Array.from({ length: events }, (_, n) => {
        const e = snake(rand, eventLength);
        return { id: e, name: e, type: 'events', order: n, properties: [prop(`_e${n}`)] };
      }),
      actions: Array.from({ length: actions }, (_, n) => ({ id: 900 + n, name: `Action ${n}`, type: 'actions', order: events + n })),
      properties: Array.from({ length: properties }, (_, n) => prop(`_p${n}`)),
      filter_test_accounts: i % 3 === 0,
    },
  };
}

/** A project seed from a shape: how long names are, how many of everything. */
function project(rand, shape) {
  const groupTypeName = (n) => `${spaced(rand, shape.groupTypeNameLength).slice(0, shape.groupTypeNameLength - String(n).length - 1)} ${n}`;
  const table = { name: snake(rand, 63), columns: [] };
  const warehouse = { table: table.name, time: `${snake(rand, 56)}_at`, key: `${snake(rand, 57)}_id`, amount: snake(rand, 63) };
  table.columns = ['id', warehouse.key, warehouse.time, warehouse.amount];
  const metrics = Array.from({ length: shape.metrics }, (_, i) => metric(rand, i, {
    ...shape,
    spaces: i % 2 === 0 ? shape.spaces : !shape.spaces,
    currency: i % 3 !== 1,
    warehouse: i % 5 === 4 ? warehouse : null,
  }));
  return {
    id: 1,
    name: 'Anyone\'s project',
    organization: demo.organizations[0].id,
    dashboards: [42],
    warehouse_tables: [table],
    value_scale: shape.valueScale,
    groups: {
      0: Array.from({ length: 4 }, (_, n) => ({
        group_key: n === 0 ? 'acme' : snake(rand, 80),
        group_properties: { name: n === 0 ? 'Acme Inc' : spaced(rand, 255) },
        created_at: '2024-01-05T10:00:00Z',
      })),
    },
    actions: Array.from({ length: 3 }, (_, n) => ({ id: 900 + n, name: spaced(rand, 120), steps: [{ event: snake(rand, shape.eventLength) }] })),
    test_account_filters: demo.projects[0].test_account_filters,
    group_types: Array.from({ length: shape.groupTypes }, (_, n) => ({
      group_type: n === 0 ? 'organization' : snake(rand, 60),
      group_type_index: n,
      name_singular: groupTypeName(n),
      name_plural: groupTypeName(n + 10),
      detail_dashboard: null,
      default_columns: null,
      created_at: '2024-01-05T10:00:00Z',
    })),
    metrics: { 0: metrics },
  };
}

/** A seed file's JSON: the demo's keys and organizations, and one project. */
function seed(project_) {
  return {
    $comment: 'Generated by tests/e2e/datasets.mjs; not for hand edits.',
    keys: demo.keys,
    organizations: demo.organizations,
    projects: [project_],
  };
}

/** The worst case PostHog accepts, in every field the screens show. */
export function worstCase() {
  return seed(project(random(255), {
    metrics: 40, nameLength: 255, spaces: false, eventLength: 100, events: 4, actions: 2, properties: 6,
    groupTypes: 5, groupTypeNameLength: 400, valueScale: 1e9,
  }));
}

/** A generated dataset: each dimension between the demo's and the worst case. */
export function generated(n) {
  const rand = random(n);
  const between = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));
  return seed(project(rand, {
    metrics: between(3, 40),
    nameLength: between(12, 255),
    spaces: rand() < 0.5,
    eventLength: between(8, 100),
    events: between(1, 4),
    actions: between(0, 2),
    properties: between(0, 6),
    groupTypes: between(1, 5),
    groupTypeNameLength: between(6, 400),
    valueScale: [1, 1e3, 1e6, 1e9][between(0, 3)],
  }));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.stdout.write(`${JSON.stringify(worstCase(), null, 1)}\n`);
}
