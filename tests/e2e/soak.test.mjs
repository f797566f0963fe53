// Soak: two people at once. Two browser contexts (two users: no shared storage, no
// BroadcastChannel between them) act on the same project against a sandbox that is slow,
// fails 20% of requests and limits the rate: rename group types, create, edit, delete, undo,
// page. Each script acts as a user: it believes only what its app shows (a notice, a heading,
// an error next to the form, the conflict view, a delete asked again), retries a failed save
// as a user would, and settles every conflict by choosing a side.
//
// The two work at the same time, so forms open on versions the other then changes: that is
// where conflicts come from. Their writes are taken one at a time (a lock in this script, held
// from the click on Save or Delete until the app shows the outcome), so that the script knows
// the order in which the server applied them and can hold the server to an exact model. Each
// write is also checked for a silent overwrite: a field it changed that the other user had
// changed since the form opened, saved without the conflict view.
//
// At the end: the sandbox's stored state equals the model (nothing lost, nothing duplicated,
// nothing unexpected), and there were no silent overwrites.
//
// SOAK_OPS sets the number of operations of both users together (default 120 in the test
// run; `bench/run` runs 1,000), SOAK_SEED the random seed (printed, so a run can be replayed).

import {
  test, before, after, beforeEach, afterEach,
} from 'node:test';
import assert from 'node:assert/strict';
import {
  browserSuite, openPage, connect, setSwitches, sandboxProject, launchBrowser,
  sandboxMetrics, metricTable, artifactsDir,
  allowWrites,
} from './harness.mjs';
import { random } from './datasets.mjs';
import { join } from 'node:path';

const OPS = Number(process.env.SOAK_OPS ?? 120);
const SEED = Number(process.env.SOAK_SEED ?? Date.now() % 1_000_000);
const FAULTS = { latency_ms: 60, failure_rate: 0.2, rate_limit_per_minute: 150 };
/** Saves a user tries before giving up on one operation (and discarding it). */
const MAX_TRIES = 8;
/** The group type index whose metrics are created, edited and deleted: index 0, where the
 *  app files every new metric (PostHog's settings list only those). */
const WORK = 0;
/** Above this many metrics a user deletes rather than creates: the list stays one page. */
const MOST = 90;
const LONG = { timeout: 60_000 };

let sandbox;
let browser;
browserSuite({ before, after, beforeEach, afterEach }, { ready: (suite) => ({ sandbox, browser } = suite) });

const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

test(`soak: ${OPS} operations by two users at once, with latency, 20% failures and a rate limit: nothing lost, duplicated or silently overwritten`, { timeout: 3 * 60 * 60_000 }, async () => {
  allowWrites();
  const second = await launchBrowser();
  try {
    await soak(second.context);
  } finally {
    await second.close();
  }
});

async function soak(otherContext) {
  // What the script believes the server holds, from what the apps said.
  const names = Object.fromEntries((await sandboxProject(sandbox, 1)).group_types
    .map((g) => [g.group_type_index, { key: g.group_type, singular: g.name_singular }]));
  const model = new Map((await sandboxMetrics(sandbox, 1, WORK)).map((m) => [m.id, { name: m.name, interval: m.interval }]));
  const figures = {
    operations: 0, renames: 0, creates: 0, edits: 0, deletes: 0, undos: 0, pages: 0,
    conflicts_met: 0, conflict_fields: 0, kept_server: 0, kept_mine: 0, merged_silently: 0,
    deleted_meanwhile: 0, created_again: 0, deletes_asked_again: 0, deletes_refused: 0,
    saves_retried: 0, given_up: 0, silent_overwrites: 0, injected_500: 0, injected_429: 0,
    lost: 0, duplicated: 0, mismatches: 0,
  };
  const silent = [];

  // Writes one at a time, in the order the server applies them.
  let lock = Promise.resolve();
  async function exclusive(fn) {
    const before = lock;
    let release;
    lock = new Promise((ok) => { release = ok; });
    await before;
    try {
      return await fn();
    } finally {
      release();
    }
  }

  async function countFaults() {
    const log = await sandbox.control('requests');
    await sandbox.control('requests', { method: 'DELETE' });
    figures.injected_500 += log.filter((r) => r.status === 500).length;
    figures.injected_429 += log.filter((r) => r.status === 429).length;
  }

  async function user(label, context, seed) {
    const rand = random(seed);
    const { page, assertClean } = await openPage(context, sandbox.url);
    // Every notice the app shows, in order, whether or not the script was looking at it then.
    await page.addInitScript(() => {
      window.__notices = [];
      new MutationObserver(() => {
        const text = document.querySelector('div.notice[role=status]')?.textContent ?? '';
        if (text && window.__notices.at(-1) !== text) window.__notices.push(text);
      }).observe(document, { subtree: true, childList: true, characterData: true });
    });
    await page.reload();
    await connect(page);
    await page.getByRole('table', { name: 'Group types of this project' }).waitFor(LONG);
    return { label, rand, page, assertClean, pick: (list) => list[Math.floor(rand() * list.length)] };
  }

  const notices = (u) => u.page.evaluate(() => window.__notices.slice());
  // The app's error panels (the conflict view's and the deleted form's own alerts aside).
  const failure = (u) => u.page.locator('.error-panel[role=alert]:not(:has(#metric-deleted-title))');
  const header = (u, name) => u.page.getByRole('banner').getByRole('link', { name, exact: true });
  const conflictView = (u) => u.page.getByRole('region', { name: 'Changed since you opened it' });

  /** Opens the project's list narrowed to the work index, 100 per page (its reads retry). */
  async function openWorkList(u) {
    const { page } = u;
    const pager = page.getByRole('navigation', { name: 'Pages' });
    await header(u, 'Usage metrics').click();
    await page.waitForURL((url) => url.pathname === '/metrics' && !url.searchParams.has('index'));
    const filedUnder = page.getByLabel('Filed under');
    await filedUnder.locator(`option[value="${WORK}"]`).waitFor({ state: 'attached', ...LONG });
    await filedUnder.selectOption(String(WORK));
    await page.waitForURL((url) => url.searchParams.get('index') === String(WORK));
    await metricTable(page).or(page.getByText('No usage metric is filed under')).first().waitFor(LONG);
    if (await pager.getByLabel('Per page').inputValue() !== '100') {
      await pager.getByLabel('Per page').selectOption('100');
      await page.waitForURL(/limit=100/);
      await metricTable(page).waitFor(LONG);
    }
  }

  /** Leaves a form with unsaved typing, answering the leave question. */
  async function leaveForm(u) {
    u.page.once('dialog', (d) => d.accept());
    await u.page.getByRole('link', { name: 'Cancel' }).click();
    await u.page.waitForURL((url) => !url.pathname.endsWith('/edit') && url.pathname !== '/metrics/new');
  }

  /** The form's interval as shown: a preset's radio, or the number of days. */
  const shownInterval = (u) => u.page.evaluate(() => {
    const days = document.getElementById('metric-interval');
    if (days) return Number(days.value);
    const checked = [...document.querySelectorAll('input[name=interval]')].find((r) => r.checked);
    return Number(checked?.parentElement?.textContent.match(/\d+/)?.[0]);
  });

  async function setInterval(u, days) {
    await u.page.getByRole('radio', { name: 'Other' }).check();
    await u.page.getByLabel('Number of days').fill(String(days));
  }

  /** Presses the save button on screen: the conflict view's while it is shown, else `fallback`. */
  async function pressSave(u, fallback) {
    const view = conflictView(u);
    if (await view.count()) await view.getByRole('button', { name: 'Save with these choices' }).click();
    else await fallback.click();
  }

  /**
   * Presses `save` and waits for what the form shows: 'saved' (the metric's page), 'conflict',
   * 'deleted' or 'error'. After an error a user waits a moment and presses again.
   */
  async function formOutcome(u, save) {
    for (let attempt = 1; attempt <= MAX_TRIES; attempt += 1) {
      if (attempt > 1) {
        figures.saves_retried += 1;
        await sleep(attempt * 400);
      }
      await save();
      const outcome = await Promise.race([
        u.page.waitForURL((url) => /^\/metrics\/[0-9a-f-]{36}$/.test(url.pathname), LONG).then(() => 'saved'),
        conflictView(u).waitFor(LONG).then(() => 'conflict'),
        u.page.locator('#metric-deleted-title').waitFor(LONG).then(() => 'deleted'),
        failure(u).first().waitFor(LONG).then(() => 'error'),
      ]);
      if (outcome !== 'error') return outcome;
    }
    figures.given_up += 1;
    return 'given up';
  }

  /** Settles the conflict view with a side per field; returns { Name: 'mine'|'server', … }. */
  async function settle(u) {
    const view = conflictView(u);
    figures.conflicts_met += 1;
    const chosen = {};
    for (const group of await view.getByRole('group').all()) {
      const field = (await group.locator('legend').innerText()).trim();
      const side = u.rand() < 0.5 ? 'server' : 'mine';
      await group.getByRole('radio', { name: side === 'server' ? 'Keep the server\'s' : 'Keep yours' }).check();
      chosen[field] = side;
      figures.conflict_fields += 1;
      figures[side === 'server' ? 'kept_server' : 'kept_mine'] += 1;
    }
    return chosen;
  }

  /** Counts a field this user changed and the server saved over another user's change that
   *  the form never showed as a conflict. */
  function checkOverwrite(u, what, base, now, mine, conflicted) {
    if (now !== base && now !== mine && !conflicted) {
      figures.silent_overwrites += 1;
      silent.push(`${u.label}: ${what} was ${JSON.stringify(base)} when the form opened, ${JSON.stringify(now)} on the server, saved as ${JSON.stringify(mine)} without a conflict`);
    }
  }

  async function edit(u, op) {
    const ids = [...model.keys()];
    if (!ids.length) return create(u, op);
    // Most edits go to a few metrics, so that the two users meet.
    const id = u.rand() < 0.7 ? u.pick(ids.slice(0, 3)) : u.pick(ids);
    await openWorkList(u);
    const link = metricTable(u.page).locator(`a[href*="/metrics/${id}/edit"]`);
    if (!(await link.count())) return; // deleted by the other user since this list was read
    await link.click();
    const loaded = await Promise.race([
      u.page.getByRole('button', { name: 'Save metric' }).waitFor(LONG).then(() => 'form'),
      u.page.getByRole('heading', { name: 'Metric not found', level: 1 }).waitFor(LONG).then(() => 'gone'),
    ]);
    if (loaded === 'gone') return;
    figures.edits += 1;
    // What the form opened with.
    const nameField = u.page.getByLabel('Name', { exact: true });
    const base = { name: await nameField.inputValue(), interval: await shownInterval(u) };
    const change = { name: u.rand() < 0.6, interval: u.rand() < 0.6 };
    if (!change.name && !change.interval) change.name = true;
    const mine = {
      name: change.name ? `${base.name.replace(/ [AB]\d+$/, '')} ${u.label}${op}` : base.name,
      interval: change.interval ? u.pick([7, 14, 30, 90, 365].filter((d) => d !== base.interval)) : base.interval,
    };
    if (change.name) await nameField.fill(mine.name);
    if (change.interval) await setInterval(u, mine.interval);
    // Half the time the user pauses before saving, as people do: the other may save meanwhile.
    if (u.rand() < 0.5) await sleep(1000 + u.rand() * 3000);

    const saveButton = u.page.getByRole('button', { name: 'Save metric' });
    await exclusive(async () => {
      const now = model.get(id);
      let outcome = await formOutcome(u, () => pressSave(u, saveButton));
      let chosen = {};
      // Under the lock nobody else writes, so a settled conflict does not come back.
      if (outcome === 'conflict') {
        chosen = await settle(u);
        outcome = await formOutcome(u, () => pressSave(u, saveButton));
      }
      if (outcome === 'saved') {
        if (!now) throw new Error(`${u.label}: saved metric ${id}, which the model says was deleted`);
        const result = { ...now };
        for (const field of ['name', 'interval']) {
          if (!change[field]) {
            if (now[field] !== base[field]) figures.merged_silently += 1;
            continue;
          }
          const label = field === 'name' ? 'Name' : 'Interval';
          checkOverwrite(u, `${id} ${field}`, base[field], now[field], mine[field], label in chosen);
          result[field] = chosen[label] === 'server' ? now[field] : mine[field];
        }
        model.set(id, result);
      } else if (outcome === 'deleted') {
        figures.deleted_meanwhile += 1;
        if (now) throw new Error(`${u.label}: the form says ${id} was deleted, the model still has it`);
        if (u.rand() < 0.5) {
          const created = await formOutcome(u, () => u.page.getByRole('button', { name: 'Create it again' }).click());
          if (created === 'saved') {
            const newId = new URL(u.page.url()).pathname.split('/')[2];
            model.set(newId, { ...mine });
            figures.created_again += 1;
          } else await leaveForm(u);
        } else await leaveForm(u);
      } else await leaveForm(u);
    });
  }

  async function create(u, op) {
    if (model.size >= MOST) return remove(u, op, false);
    await openWorkList(u);
    await u.page.getByRole('link', { name: 'New metric' }).click();
    await u.page.getByRole('button', { name: 'Save metric' }).waitFor(LONG);
    const name = `soak metric ${u.label}${op}`;
    await u.page.getByLabel('Name', { exact: true }).fill(name);
    await u.page.getByRole('button', { name: 'Add event' }).click();
    await u.page.getByRole('combobox', { name: 'Event 1 name', exact: true }).fill('soak_event');
    figures.creates += 1;
    await exclusive(async () => {
      const outcome = await formOutcome(u, () => u.page.getByRole('button', { name: 'Save metric' }).click());
      if (outcome === 'saved') model.set(new URL(u.page.url()).pathname.split('/')[2], { name, interval: 7 });
      else await leaveForm(u);
    });
  }

  async function rename(u, op) {
    await header(u, 'Group types').click();
    await u.page.getByRole('table', { name: 'Group types of this project' }).waitFor(LONG);
    const index = u.pick(Object.keys(names));
    const field = u.page.getByLabel(`Singular name of ${names[index].key}`, { exact: true });
    const base = (await field.inputValue()) || null;
    const mine = `Soak ${u.label}${op}`;
    await field.fill(mine);
    figures.renames += 1;
    if (u.rand() < 0.5) await sleep(1000 + u.rand() * 3000);
    const bar = u.page.getByRole('region', { name: 'Unsaved changes' });
    await exclusive(async () => {
      const now = names[index].singular;
      let chosen = null;
      for (let attempt = 1; attempt <= MAX_TRIES; attempt += 1) {
        if (attempt > 1) {
          figures.saves_retried += 1;
          await sleep(attempt * 400);
        }
        await pressSave(u, bar.getByRole('button', { name: 'Save', exact: true }));
        const outcome = await Promise.race([
          bar.waitFor({ state: 'detached', ...LONG }).then(() => 'saved'),
          conflictView(u).waitFor(LONG).then(() => 'conflict'),
          failure(u).first().waitFor(LONG).then(() => 'error'),
        ]);
        if (outcome === 'conflict' && chosen === null) {
          chosen = (await settle(u))[`Singular name of ${names[index].key}`] ?? null;
          attempt -= 1;
          continue;
        }
        if (outcome === 'saved') {
          checkOverwrite(u, `group type ${index} singular`, base, now, mine, chosen !== null);
          names[index].singular = chosen === 'server' ? now : mine;
          return;
        }
      }
      figures.given_up += 1;
      await u.page.getByRole('button', { name: 'Discard' }).click();
    });
  }

  async function remove(u, op, undo) {
    const ids = [...model.keys()];
    if (!ids.length) return create(u, op);
    const id = u.pick(ids);
    await openWorkList(u);
    const row = metricTable(u.page).locator('tr').filter({ has: u.page.locator(`a[href*="/metrics/${id}/edit"]`) });
    if (!(await row.count())) return;
    const bar = u.page.getByRole('region', { name: 'Deleted metrics' });
    await exclusive(async () => {
      const since = (await notices(u)).length;
      await row.getByRole('button', { name: /^Delete / }).click();
      const line = bar.locator('p.pending-delete').last();
      await line.waitFor(LONG);
      if (undo) {
        await line.getByRole('button', { name: /^Undo delete of / }).click();
        await line.waitFor({ state: 'detached' });
        figures.undos += 1;
        return;
      }
      figures.deletes += 1;
      // After the undo window the app reads the metric again, then deletes it, or shows it
      // again in the bar with what changed, or says the delete failed. A delete that went
      // through shows nothing more than the line's going, so its end is seen on the server
      // (nobody else writes while the lock is held).
      const asked = bar.locator('p.pending-delete.changed');
      const gone = async () => !(await sandboxMetrics(sandbox, 1, WORK)).some((m) => m.id === id);
      const refused = async () => (await notices(u)).slice(since).some((n) => n.startsWith('Could not delete'));
      const settled = async () => {
        for (const end = Date.now() + 120_000; Date.now() < end; await sleep(250)) {
          if (await asked.count()) return 'asked';
          if (await refused()) return 'refused';
          if (await gone()) return 'deleted';
        }
        throw new Error(`${u.label}: the delete of ${id} never settled`);
      };
      let outcome = await settled();
      if (outcome === 'asked') {
        figures.deletes_asked_again += 1;
        if (u.rand() < 0.5) {
          await asked.getByRole('button', { name: /^Keep it/ }).click();
          await asked.waitFor({ state: 'detached' });
          return;
        }
        await asked.getByRole('button', { name: /^Delete anyway/ }).click();
        await asked.waitFor({ state: 'detached', ...LONG });
        outcome = await settled();
      }
      if (outcome === 'deleted') model.delete(id);
      else figures.deletes_refused += 1;
    });
  }

  async function browse(u) {
    const { page } = u;
    await header(u, 'Usage metrics').click();
    await page.waitForURL((url) => url.pathname === '/metrics' && !url.searchParams.has('index'));
    const pager = page.getByRole('navigation', { name: 'Pages' });
    const range = pager.locator('p.range');
    const steps = Math.floor(u.rand() * 3);
    for (let offset = 0; offset <= steps * 25; offset += 25) {
      if (offset > 0) await pager.getByRole('link', { name: 'Next' }).click();
      await range.filter({ hasText: new RegExp(`^${offset + 1}–\\d+ of \\d+$`) }).waitFor(LONG);
    }
    figures.pages += 1;
  }

  const a = await user('A', browser.context, SEED);
  const b = await user('B', otherContext, SEED + 1);
  await setSwitches(sandbox, FAULTS);
  await sandbox.control('requests', { method: 'DELETE' });
  const started = Date.now();
  let next = 1;
  async function run(u) {
    for (let op = next++; op <= OPS; op = next++) {
      const roll = u.rand();
      try {
        if (roll < 0.12) await rename(u, op);
        else if (roll < 0.27) await create(u, op);
        else if (roll < 0.62) await edit(u, op);
        else if (roll < 0.74) await remove(u, op, false);
        else if (roll < 0.80) await remove(u, op, true);
        else await browse(u);
      } catch (e) {
        const file = join(await artifactsDir(), `soak-failure-${u.label}.png`);
        await u.page.screenshot({ path: file, fullPage: true });
        throw new Error(`soak stopped at operation ${op} of user ${u.label} (seed ${SEED}, at ${u.page.url()}; screenshot ${file}): ${e.message}`);
      }
      figures.operations += 1;
      if (figures.operations % 10 === 0) await countFaults();
    }
  }
  await Promise.all([run(a), run(b)]);
  await setSwitches(sandbox, { latency_ms: 0, failure_rate: 0, rate_limit_per_minute: 0 });
  await countFaults();

  // The comparison: the sandbox's stored state against the model.
  const stored = await sandboxMetrics(sandbox, 1, WORK);
  const problems = [];
  for (const [id, want] of model) {
    const found = stored.find((m) => m.id === id);
    if (!found) {
      figures.lost += 1;
      problems.push(`lost: ${want.name} (${id})`);
    } else if (found.name !== want.name || found.interval !== want.interval) {
      problems.push(`${id}: ${found.name}, ${found.interval} days; expected ${want.name}, ${want.interval} days`);
    }
  }
  for (const m of stored) {
    if (!model.has(m.id)) problems.push(`not expected: ${m.name} (${m.id})`);
  }
  const byName = new Map();
  for (const m of stored) byName.set(m.name, (byName.get(m.name) ?? 0) + 1);
  for (const [name, n] of byName) {
    if (n > 1) {
      figures.duplicated += 1;
      problems.push(`duplicated ×${n}: ${name}`);
    }
  }
  for (const g of (await sandboxProject(sandbox, 1)).group_types) {
    const want = names[g.group_type_index].singular;
    if (g.name_singular !== want) problems.push(`group type ${g.group_type}: ${g.name_singular}, expected ${want}`);
  }
  figures.mismatches = problems.length;
  figures.seconds = Math.round((Date.now() - started) / 1000);
  figures.seed = SEED;
  console.log(`soak figures: ${JSON.stringify(figures)}`);
  for (const p of problems) console.log(`soak mismatch: ${p}`);
  for (const s of silent) console.log(`soak silent overwrite: ${s}`);

  assert.deepEqual(problems, [], 'the stored state is the model');
  assert.deepEqual(silent, [], 'no silent overwrite');
  assert.ok(figures.injected_500 > 0 && figures.injected_429 + figures.injected_500 >= OPS / 10, 'faults were injected');
  // Failed requests and refusals are logged by Chromium as console errors; nothing else may be.
  for (const u of [a, b]) {
    u.assertClean(['status of 500 (Internal Server Error)', 'status of 429 (Too Many Requests)', 'status of 404 (Not Found)']);
  }
}
