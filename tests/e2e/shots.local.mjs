// Local only: screenshots of the project list with marks and of the conflict dialog.
import { startSandbox, launchBrowser, openConnectedAt } from './harness.mjs';
const sandbox = await startSandbox();
const browser = await launchBrowser();
const list = `${sandbox.url}/metrics?host=${encodeURIComponent(sandbox.url)}&project=1&limit=100&offset=0`;
for (const scheme of ['light', 'dark']) {
  for (const width of [390, 1280]) {
    const { page } = await openConnectedAt(browser.context, sandbox, list);
    await page.emulateMedia({ colorScheme: scheme });
    await page.setViewportSize({ width, height: 900 });
    const table = page.getByRole('table', { name: 'Usage metrics of this project' });
    await table.waitFor();
    const row = table.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'Support tickets opened', exact: true }) }).last();
    await row.scrollIntoViewIfNeeded();
    await page.screenshot({ path: `/tmp/shots/list-${width}-${scheme}.png` });
    await page.goto(`${sandbox.url}/metrics?host=${encodeURIComponent(sandbox.url)}&project=1&index=1&limit=25&offset=0`);
    await table.waitFor();
    await page.screenshot({ path: `/tmp/shots/list-top-${width}-${scheme}.png` });
    await row.getByRole('button', { name: /^Move / }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Move' }).click();
    await page.getByRole('dialog').getByRole('heading', { name: /already has/ }).waitFor();
    await page.screenshot({ path: `/tmp/shots/conflict-${width}-${scheme}.png` });
    await page.close();
  }
}
await browser.close();
await sandbox.stop();
