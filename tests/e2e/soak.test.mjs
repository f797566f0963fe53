// Soak: a long scripted session (rename, create, edit, delete, undo, page) against a sandbox
// that is slow, fails 20% of requests and limits the rate. The script acts as a user: it
// believes only what the app shows (a "Saved"/"Created" notice, an error next to the form, a
// delete's failure notice), retries a failed save as a user would, and at the end compares
// the sandbox's stored state with what the app told it: nothing lost, nothing duplicated.
//
// SOAK_OPS sets the number of operations (default 120 in the test run; the full soak is
// `SOAK_OPS=300 npm run soak`), SOAK_SEED the random seed (printed, so a run can be replayed).

import {
  test, before, after, beforeEach, afterEach,
} from 'node:test';
import assert from 'node:assert/strict';
import {
  browserSuite, openPage, connect, setSwitches, sandboxProject,
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

let sandbox;
let browser;
browserSuite({ before, after, beforeEach, afterEach }, { ready: (suite) => ({ sandbox, browser } = suite) });

const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

test(`soak: ${OPS} operations with latency, 20% failures and a rate limit lose and duplicate nothing`, { timeout: 60 * 60_000 }, async () => {
  allowWrites();
  const rand = random(SEED);
  const pick = (list) => list[Math.floor(rand() * list.length)];
  const { page, assertClean } = await openPage(browser.context, sandbox.url);
  // Every notice the app shows, in order, whether or not the script was looking at it then.
  await page.addInitScript(() => {
    window.__notices = [];
    new MutationObserver(() => {
      const text = document.querySelector('div.notice[role=status]')?.textContent ?? '';
      if (text && window.__notices.at(-1) !== text) window.__notices.push(text);
    }).observe(document, { subtree: true, childList: true, characterData: true });
  });
  await page.reload();
  if (process.env.SOAK_DEBUG) page.on('dialog', (d) => console.log('dialog', d.message(), page.url()));
  await connect(page);
  await page.getByRole('table', { name: 'Group types of this project' }).waitFor();

  // What the script believes the server holds, from what the app said.
  const names = Object.fromEntries((await sandboxProject(sandbox, 1)).group_types
    .map((g) => [g.group_type_index, { key: g.group_type, singular: g.name_singular }]));
  const metrics = new Map((await sandboxMetrics(sandbox, 1, WORK)).map((m) => [m.name, { interval: m.interval }]));
  const pendingDeletes = []; // { name, line, gone: time the Undo line went (or 0), since: notices before }
  const figures = {
    operations: 0, renames: 0, creates: 0, edits: 0, deletes: 0, undos: 0, pages: 0,
    saves_retried: 0, given_up: 0, clicks_repeated: 0, strays_undone: 0, deletes_refused: 0, injected_500: 0, injected_429: 0, mismatches: 0,
  };

  const notices = () => page.evaluate(() => window.__notices.slice());
  const alert = page.locator('[role=alert]');

  async function countFaults() {
    const log = await sandbox.control('requests');
    await sandbox.control('requests', { method: 'DELETE' });
    figures.injected_500 += log.filter((r) => r.status === 500).length;
    figures.injected_429 += log.filter((r) => r.status === 429).length;
  }

  // The script moves only with the app's own links, as a user does: a reload would send the
  // deletes still waiting for their Undo at once (keepalive), with no answer to show.
  const header = (name) => page.getByRole('banner').getByRole('link', { name, exact: true });
  const pager = page.getByRole('navigation', { name: 'Pages' });
  const listShown = () => metricTable(page).or(page.getByText('No usage metric is filed under')).first()
    .waitFor({ timeout: 60_000 });

  /** Opens the project's list narrowed to the work index, 100 per page (its reads retry on
   *  their own). */
  async function openWorkList() {
    await header('Usage metrics').click();
    await page.waitForURL((u) => u.pathname === '/metrics' && !u.searchParams.has('index'));
    const filedUnder = page.getByLabel('Filed under');
    await filedUnder.locator(`option[value="${WORK}"]`).waitFor({ state: 'attached', timeout: 60_000 });
    await filedUnder.selectOption(String(WORK));
    await page.waitForURL((u) => u.searchParams.get('index') === String(WORK));
    await listShown();
    if (await pager.getByLabel('Per page').inputValue() !== '100') {
      await pager.getByLabel('Per page').selectOption('100');
      await page.waitForURL(/limit=100/);
      await listShown();
    }
  }

  /**
   * Clicks `save` until the app confirms with `done` (a locator), as a user would after an
   * error, checking each time that what was typed is still there. True when saved.
   */
  async function saveWithRetries(save, done, typed) {
    for (let attempt = 1; attempt <= MAX_TRIES; attempt += 1) {
      if (attempt > 1) figures.saves_retried += 1;
      await save();
      const outcome = await Promise.race([
        done.waitFor({ timeout: 60_000 }).then(() => 'saved'),
        alert.first().waitFor({ timeout: 60_000 }).then(() => 'error'),
      ]);
      if (outcome === 'saved') return true;
      for (const [field, value] of typed) {
        assert.equal(await field.inputValue(), value, 'what the user typed is kept after an error');
      }
      // A throttled user waits a moment before trying again.
      await sleep(attempt * 400);
    }
    figures.given_up += 1;
    return false;
  }

  async function rename(op) {
    await header('Group types').click();
    const table = page.getByRole('table', { name: 'Group types of this project' });
    await table.waitFor({ timeout: 60_000 });
    const index = pick(Object.keys(names));
    const field = page.getByLabel(`Singular name of ${names[index].key}`, { exact: true });
    const value = `Soak ${op}`;
    await field.fill(value);
    // The bar of unsaved edits goes only when the server took them (an error keeps it); the
    // notice's text alone could be the previous rename's.
    const bar = page.getByRole('region', { name: 'Unsaved changes' });
    const saved = { waitFor: (o) => bar.waitFor({ ...o, state: 'detached' }) };
    const ok = await saveWithRetries(
      () => bar.getByRole('button', { name: 'Save', exact: true }).click(),
      saved,
      [[field, value]],
    );
    if (ok) names[index].singular = value;
    else await page.getByRole('button', { name: 'Discard' }).click();
    figures.renames += 1;
  }

  function workable() {
    const hidden = new Set(pendingDeletes.map((d) => d.name));
    return [...metrics.keys()].filter((n) => !hidden.has(n));
  }

  async function create(op) {
    await openWorkList();
    await page.getByRole('link', { name: 'New metric' }).click();
    await page.getByRole('button', { name: 'Save metric' }).waitFor({ timeout: 60_000 });
    const name = `soak metric ${op}`;
    const field = page.getByLabel('Name', { exact: true });
    await field.fill(name);
    await page.getByRole('button', { name: 'Add event' }).click();
    await page.getByRole('combobox', { name: 'Event 1 name', exact: true }).fill('soak_event');
    const ok = await saveWithRetries(
      () => page.getByRole('button', { name: 'Save metric' }).click(),
      page.getByRole('heading', { name, exact: true, level: 1 }),
      [[field, name]],
    );
    if (ok) metrics.set(name, { interval: 7 });
    else await leaveForm();
    figures.creates += 1;
  }

  async function leaveForm() {
    page.once('dialog', (d) => d.accept());
    await page.getByRole('link', { name: 'Cancel' }).click();
  }

  async function edit(op) {
    const candidates = workable();
    if (!candidates.length) return create(op);
    const name = pick(candidates);
    await openWorkList();
    const onForm = { waitFor: (o) => page.waitForURL(/\/edit\?/, o) };
    await clickUntil(() => page.getByRole('link', { name: `Edit ${name}`, exact: true }).click(), onForm, openWorkList);
    // The form loads the metric and every name first (its reads retry on their own).
    await page.getByRole('button', { name: 'Save metric' }).waitFor({ timeout: 60_000 });
    const title = (await page.getByRole('heading', { level: 1 }).textContent()).trim();
    if (title !== `Edit “${name}”`) {
      // The click went to a neighbour's row (the list re-rendered under it): back out.
      figures.clicks_repeated += 1;
      await page.getByRole('link', { name: 'Cancel' }).click();
      return edit(op);
    }
    const field = page.getByLabel('Name', { exact: true });
    const next = `${name.replace(/ e\d+$/, '')} e${op}`;
    const interval = pick([7, 14, 30, 90, 365]);
    await field.fill(next);
    await page.getByRole('radio', { name: 'Other' }).check();
    await page.getByLabel('Number of days').fill(String(interval));
    const ok = await saveWithRetries(
      () => page.getByRole('button', { name: 'Save metric' }).click(),
      page.getByRole('heading', { name: next, exact: true, level: 1 }),
      [[field, next]],
    );
    if (ok) {
      metrics.delete(name);
      metrics.set(next, { interval });
    } else await leaveForm();
    figures.edits += 1;
  }

  async function remove(op, undo) {
    const candidates = workable();
    if (!candidates.length) return create(op);
    const name = pick(candidates);
    await openWorkList();
    const line = deleted.getByRole('button', { name: `Undo delete of ${name}`, exact: true });
    await clickUntil(
      () => metricTable(page).getByRole('button', { name: `Delete ${name}`, exact: true }).click(),
      line,
      () => undoStrays(),
    );
    await undoStrays(name);
    if (undo) {
      await line.click();
      await line.waitFor({ state: 'detached' });
      figures.undos += 1;
    } else {
      // Only notices from now on speak of this delete (the same name may have failed before).
      pendingDeletes.push({ name, line, gone: 0, since: (await notices()).length });
      figures.deletes += 1;
    }
  }

  const deleted = page.getByRole('region', { name: 'Deleted metrics' });

  /**
   * Clicks until `appeared` shows, as a user who sees that nothing happened clicks again. A
   * list that re-renders under the pointer (a refused delete shows its row again) can eat a
   * click or give it to a neighbour; `recover` puts things right before the next try.
   */
  async function clickUntil(click, appeared, recover) {
    for (let attempt = 1; ; attempt += 1) {
      await click();
      try {
        await appeared.waitFor({ timeout: 5000 });
        return;
      } catch (e) {
        figures.clicks_repeated += 1;
        if (attempt === 3) throw e;
        await recover();
      }
    }
  }

  /** Undoes deletes the script did not ask for (a click that landed on a neighbour's row). */
  async function undoStrays(also = null) {
    const meant = new Set([...pendingDeletes.map((d) => d.name), also]);
    // Read the lines at once: a line can go at any moment (its delete is being sent).
    const labels = await deleted.getByRole('button').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')));
    for (const label of labels) {
      if (meant.has(label.replace(/^Undo delete of /, ''))) continue;
      const undo = deleted.getByRole('button', { name: label, exact: true });
      // Too late once its line is gone: then it was sent, and settles as any delete.
      if (await undo.click({ timeout: 2000 }).then(() => true, () => false)) figures.strays_undone += 1;
    }
  }

  /** A delete whose Undo line has gone was sent; 3 s later its failure notice would be shown. */
  async function settleDeletes(force = false) {
    for (const d of [...pendingDeletes]) {
      if (!d.gone) {
        if (force) await d.line.waitFor({ state: 'detached', timeout: 30_000 });
        if (await d.line.count() === 0) d.gone = Date.now();
      }
      if (!d.gone) continue;
      const wait = d.gone + 3000 - Date.now();
      if (wait > 0 && !force) continue;
      if (wait > 0) await sleep(wait);
      const refused = (await notices()).slice(d.since).some((n) => n.startsWith(`Could not delete “${d.name}”`));
      if (refused) figures.deletes_refused += 1;
      else metrics.delete(d.name);
      pendingDeletes.splice(pendingDeletes.indexOf(d), 1);
    }
  }

  async function browse() {
    // The project's whole list, paged in the browser.
    await header('Usage metrics').click();
    await page.waitForURL((u) => u.pathname === '/metrics' && !u.searchParams.has('index'));
    const range = pager.locator('p.range');
    const steps = Math.floor(rand() * 3);
    for (let offset = 0; offset <= steps * 25; offset += 25) {
      if (offset > 0) await pager.getByRole('link', { name: 'Next' }).click();
      await range.filter({ hasText: new RegExp(`^${offset + 1}–\\d+ of \\d+$`) }).waitFor({ timeout: 60_000 });
    }
    figures.pages += 1;
  }

  await setSwitches(sandbox, FAULTS);
  await sandbox.control('requests', { method: 'DELETE' });
  const started = Date.now();
  try {
    for (let op = 1; op <= OPS; op += 1) {
      const roll = rand();
      if (roll < 0.18) await rename(op);
      else if (roll < 0.38) await create(op);
      else if (roll < 0.58) await edit(op);
      else if (roll < 0.72) await remove(op, false);
      else if (roll < 0.84) await remove(op, true);
      else await browse();
      figures.operations += 1;
      await settleDeletes();
      if (op % 10 === 0) await countFaults();
    }
    await settleDeletes(true);
  } catch (e) {
    // Where the script was stuck, for whoever reads the failure.
    const file = join(await artifactsDir(), 'soak-failure.png');
    await page.screenshot({ path: file, fullPage: true });
    if (process.env.SOAK_DEBUG) {
      console.log('notices', await notices(), 'alerts', await alert.allTextContents());
      console.log('pending', await page.locator('.pending-deletes').textContent(), pendingDeletes.map((d) => d.name), e.message);
    }
    throw new Error(`soak stopped after ${figures.operations} operations (seed ${SEED}, at ${page.url()}; screenshot ${file}): ${e.message}`);
  }
  await setSwitches(sandbox, { latency_ms: 0, failure_rate: 0, rate_limit_per_minute: 0 });
  await countFaults();

  // The comparison: the sandbox's stored state against what the app told the script.
  const stored = await sandboxMetrics(sandbox, 1, WORK);
  const storedNames = stored.map((m) => m.name);
  const problems = [];
  for (const [name, want] of metrics) {
    const found = stored.filter((m) => m.name === name);
    if (found.length === 0) problems.push(`lost: ${name}`);
    if (found.length > 1) problems.push(`duplicated ×${found.length}: ${name}`);
    if (found.length === 1 && found[0].interval !== want.interval) problems.push(`${name}: interval ${found[0].interval}, expected ${want.interval}`);
  }
  for (const name of new Set(storedNames)) {
    if (!metrics.has(name)) problems.push(`not expected: ${name}`);
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

  assert.deepEqual(problems, [], 'the stored state is what the app said');
  assert.ok(figures.injected_500 > 0 && figures.injected_429 + figures.injected_500 >= OPS / 10, 'faults were injected');
  // Failed requests and refusals are logged by Chromium as console errors; nothing else may be.
  assertClean(['status of 500 (Internal Server Error)', 'status of 429 (Too Many Requests)']);
});
