// Themes end to end (README "Themes", style/main.css): light, dark or system and an accent,
// set by config.json, then the query, then the embedding parent's `groups-console:theme`
// message, each winning over the one before. Checked on computed styles (the custom
// properties resolved through light-dark()), with the system scheme emulated. Screenshots of
// each look go to tests/e2e/artifacts/theme-<name>.png.

import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, statSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  startSandbox, startStaticSandbox, startSandboxWithConfig, launchBrowser, openPage,
  artifactsDir, PORTAL_DIR,
} from './harness.mjs';

let plain;
let portal;
let configured;
let browser;
const opened = [];

before(async () => {
  plain = await startSandbox();
  portal = await startStaticSandbox(PORTAL_DIR);
  configured = await startSandboxWithConfig({ theme: 'dark', accent: '#5a189a', embed_origins: [portal.url] });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  for (const s of [configured, portal, plain]) await s?.stop();
});

afterEach(async () => {
  while (opened.length) {
    const page = opened.pop();
    if (!page.isClosed()) await page.close();
  }
});

// The documented colours (style/main.css), as getComputedStyle reports them.
const LIGHT = { bg: 'rgb(247, 247, 248)', surface: 'rgb(255, 255, 255)', accent: 'rgb(29, 74, 255)', accentText: 'rgb(255, 255, 255)' };
const DARK = { bg: 'rgb(21, 22, 26)', surface: 'rgb(30, 32, 38)', accent: 'rgb(124, 155, 255)', accentText: 'rgb(11, 12, 16)' };
const ORANGE = 'rgb(255, 102, 0)'; // #ff6600: light, so black text on it
const PURPLE = 'rgb(90, 24, 154)'; // #5a189a: dark, so white text on it
const GREEN = 'rgb(0, 170, 85)'; // #00aa55: light, so black text on it
const BLACK = 'rgb(0, 0, 0)';
const WHITE = 'rgb(255, 255, 255)';

/** Opens `url` with the system colour scheme emulated as `scheme` from the first paint. */
async function open(url, scheme = 'light') {
  const opening = await openPage(browser.context, 'about:blank');
  opened.push(opening.page);
  await opening.page.emulateMedia({ colorScheme: scheme });
  await opening.page.goto(url);
  await opening.page.getByRole('button', { name: 'Connect' }).waitFor();
  return opening;
}

/** What the page (or frame) looks like: theme attribute, scheme, body and primary button colours. */
function look(target) {
  return target.evaluate(() => {
    const button = document.querySelector('button.primary');
    return {
      theme: document.documentElement.getAttribute('data-theme'),
      scheme: getComputedStyle(document.documentElement).colorScheme,
      body: getComputedStyle(document.body).backgroundColor,
      text: getComputedStyle(document.body).color,
      button: getComputedStyle(button).backgroundColor,
      buttonText: getComputedStyle(button).color,
    };
  });
}

/** Waits until `look(target)` has the given fields, then returns it whole. */
async function waitForLook(target, expected, what) {
  let last;
  const end = Date.now() + 10_000;
  for (;;) {
    last = await look(target);
    if (Object.entries(expected).every(([k, v]) => last[k] === v)) return last;
    if (Date.now() > end) assert.deepEqual(last, { ...last, ...expected }, `timed out waiting for ${what}`);
    await new Promise((ok) => setTimeout(ok, 100));
  }
}

/** Saves a screenshot as artifacts/theme-<name>.png and checks a PNG was written. */
async function screenshot(page, name) {
  const path = join(await artifactsDir(), `theme-${name}.png`);
  rmSync(path, { force: true });
  await page.screenshot({ path, fullPage: true });
  assert.ok(statSync(path).size > 0, `${path} is not empty`);
  assert.deepEqual([...readFileSync(path).subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47], `${path} is a PNG`);
}

test('?theme=dark&accent=%23ff6600: dark colours, an orange Connect button with black text', async () => {
  const { page, assertClean } = await open(`${plain.url}/?theme=dark&accent=%23ff6600`, 'light');
  const got = await waitForLook(page, { theme: 'dark' }, 'data-theme="dark"');
  assert.deepEqual(got, {
    theme: 'dark', scheme: 'dark', body: DARK.bg, text: 'rgb(236, 238, 242)', button: ORANGE, buttonText: BLACK,
  });
  // The accent is set through the CSSOM as the documented custom properties.
  assert.deepEqual(await page.evaluate(() => ['--gc-accent', '--gc-accent-text', '--gc-focus']
    .map((p) => document.documentElement.style.getPropertyValue(p))), ['#ff6600', '#000000', '#ff6600']);
  await screenshot(page, 'accent');
  assertClean();
});

test('?theme=light stays light on a dark system, ?theme=dark stays dark on a light one', async () => {
  const light = await open(`${plain.url}/?theme=light`, 'dark');
  assert.deepEqual(await waitForLook(light.page, { theme: 'light' }, 'data-theme="light"'), {
    theme: 'light', scheme: 'light', body: LIGHT.bg, text: 'rgb(29, 31, 39)', button: LIGHT.accent, buttonText: LIGHT.accentText,
  });
  await screenshot(light.page, 'light');
  light.assertClean();

  const dark = await open(`${plain.url}/?theme=dark`, 'light');
  assert.deepEqual(await waitForLook(dark.page, { theme: 'dark' }, 'data-theme="dark"'), {
    theme: 'dark', scheme: 'dark', body: DARK.bg, text: 'rgb(236, 238, 242)', button: DARK.accent, buttonText: DARK.accentText,
  });
  await screenshot(dark.page, 'dark');
  dark.assertClean();
});

test('system mode (no query, or ?theme=system) follows the emulated scheme as it changes', async () => {
  for (const query of ['', '?theme=system']) {
    const { page, assertClean } = await open(`${plain.url}/${query}`, 'light');
    assert.deepEqual(await look(page), {
      theme: null, scheme: 'light dark', body: LIGHT.bg, text: 'rgb(29, 31, 39)', button: LIGHT.accent, buttonText: LIGHT.accentText,
    }, query);
    await page.emulateMedia({ colorScheme: 'dark' });
    assert.deepEqual(await waitForLook(page, { body: DARK.bg }, 'the dark system scheme'), {
      theme: null, scheme: 'light dark', body: DARK.bg, text: 'rgb(236, 238, 242)', button: DARK.accent, buttonText: DARK.accentText,
    }, query);
    await page.emulateMedia({ colorScheme: 'light' });
    await waitForLook(page, { body: LIGHT.bg, button: LIGHT.accent }, 'the light system scheme again');
    assertClean();
  }
});

test('config.json\'s theme and accent apply when the query has none; the query wins, field by field', async () => {
  // config.json: dark, #5a189a (white text on it).
  const fromConfig = await open(`${configured.url}/`, 'light');
  assert.deepEqual(await waitForLook(fromConfig.page, { theme: 'dark', button: PURPLE }, 'the config\'s theme'), {
    theme: 'dark', scheme: 'dark', body: DARK.bg, text: 'rgb(236, 238, 242)', button: PURPLE, buttonText: WHITE,
  });
  fromConfig.assertClean();

  // Invalid query values are ignored: the config's apply.
  const invalid = await open(`${configured.url}/?theme=neon&accent=red`, 'light');
  await waitForLook(invalid.page, { theme: 'dark', body: DARK.bg, button: PURPLE, buttonText: WHITE }, 'the config\'s theme');
  invalid.assertClean();

  // The query's theme wins; the config's accent still applies (the query has none).
  const themeOnly = await open(`${configured.url}/?theme=light`, 'dark');
  assert.deepEqual(await waitForLook(themeOnly.page, { button: PURPLE }, 'the config\'s accent'), {
    theme: 'light', scheme: 'light', body: LIGHT.bg, text: 'rgb(29, 31, 39)', button: PURPLE, buttonText: WHITE,
  });
  themeOnly.assertClean();

  // The query's accent wins; the config's theme still applies.
  const accentOnly = await open(`${configured.url}/?accent=%23ff6600`, 'light');
  assert.deepEqual(await waitForLook(accentOnly.page, { theme: 'dark' }, 'the config\'s theme'), {
    theme: 'dark', scheme: 'dark', body: DARK.bg, text: 'rgb(236, 238, 242)', button: ORANGE, buttonText: BLACK,
  });
  accentOnly.assertClean();

  // Both from the query: once config.json is read, nothing of it shows.
  const opening = await openPage(browser.context, 'about:blank');
  opened.push(opening.page);
  const { page } = opening;
  await page.emulateMedia({ colorScheme: 'dark' });
  const configRead = page.waitForResponse(`${configured.url}/config.json`);
  await page.goto(`${configured.url}/?theme=light&accent=%23ff6600`);
  assert.equal((await configRead).status(), 200);
  await page.getByRole('button', { name: 'Connect' }).waitFor();
  await page.waitForTimeout(500);
  assert.deepEqual(await look(page), {
    theme: 'light', scheme: 'light', body: LIGHT.bg, text: 'rgb(29, 31, 39)', button: ORANGE, buttonText: BLACK,
  });
  opening.assertClean();
});

test('embedded: the parent\'s groups-console:theme message changes the theme and wins over query and config', async () => {
  const opening = await openPage(browser.context, 'about:blank');
  opened.push(opening.page);
  const { page, assertClean } = opening;
  await page.emulateMedia({ colorScheme: 'light' });
  const query = new URLSearchParams({ app: configured.url, path: '/?embed=1&theme=light&accent=%23ff6600' });
  await page.goto(`${portal.url}/portal.html?${query}`);
  await page.waitForFunction(() => window.received.some((m) => m.data?.type === 'groups-console:ready'));
  const frame = await (await page.locator('#gc').elementHandle()).contentFrame();
  await frame.getByRole('button', { name: 'Connect' }).waitFor();
  // The query (light, orange) over the config (dark, purple); embedded, the body is the surface colour.
  assert.deepEqual(await look(frame), {
    theme: 'light', scheme: 'light', body: LIGHT.surface, text: 'rgb(29, 31, 39)', button: ORANGE, buttonText: BLACK,
  });

  const send = (msg) => page.evaluate((m) => window.sendToApp(m), msg);
  await send({ type: 'groups-console:theme', theme: 'dark', accent: '#00aa55' });
  assert.deepEqual(await waitForLook(frame, { theme: 'dark', button: GREEN }, 'the parent\'s theme'), {
    theme: 'dark', scheme: 'dark', body: DARK.surface, text: 'rgb(236, 238, 242)', button: GREEN, buttonText: BLACK,
  });
  await screenshot(page, 'embedded-dark');

  // Invalid theme messages are ignored.
  await send({ type: 'groups-console:theme', theme: 'neon' });
  await send({ type: 'groups-console:theme', theme: 'light', accent: 'red; background: url(x)' });
  await page.waitForTimeout(500);
  assert.equal((await look(frame)).theme, 'dark');
  assert.equal((await look(frame)).button, GREEN);

  // System mode from the parent follows the (emulated) system.
  await send({ type: 'groups-console:theme', theme: 'system', accent: '#5a189a' });
  assert.deepEqual(await waitForLook(frame, { theme: null, button: PURPLE }, 'system mode'), {
    theme: null, scheme: 'light dark', body: LIGHT.surface, text: 'rgb(29, 31, 39)', button: PURPLE, buttonText: WHITE,
  });
  await page.emulateMedia({ colorScheme: 'dark' });
  await waitForLook(frame, { body: DARK.surface, button: PURPLE }, 'the dark system scheme in the frame');
  assertClean();
});

test('the compact layout and the query theme survive in-app navigation and a reload', async () => {
  const { page, assertClean } = await open(`${plain.url}/?embed=1&theme=dark`);
  await page.getByRole('radio', { name: /Local sandbox/ }).check();
  await page.getByLabel('Project id').fill('1');
  await page.getByLabel('Personal API key').fill('phx_sandbox_demo_full_access');
  await page.getByRole('button', { name: 'Connect' }).click();
  await page.getByRole('table', { name: 'Group types of this project' }).waitFor();
  // The app's own links do not carry embed/theme; the tab remembers them.
  assert.ok(!page.url().includes('embed=1'));
  await page.reload();
  await page.getByRole('table', { name: 'Group types of this project' }).waitFor();
  const look = await page.evaluate(() => ({
    embed: document.documentElement.hasAttribute('data-embed'),
    theme: document.documentElement.getAttribute('data-theme'),
    brand: getComputedStyle(document.querySelector('.brand')).display,
  }));
  assert.deepEqual(look, { embed: true, theme: 'dark', brand: 'none' });
  assertClean();
});
