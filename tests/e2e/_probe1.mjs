import { startSandbox, launchBrowser, openConnectedAt, metricUrl } from './harness.mjs';
const sandbox = await startSandbox();
const browser = await launchBrowser();
try {
  const { page } = await openConnectedAt(browser.context, sandbox, metricUrl(sandbox, 0, 'new'));
  await page.getByRole('button', { name: 'Add event' }).click();
  const ev = page.getByRole('combobox', { name: 'Event 1 name' });
  await ev.pressSequentially('paid', { delay: 70 });
  await page.waitForTimeout(1500);
  console.log(await page.locator('#filters-events-0-options').ariaSnapshot());
  await page.getByRole('radio', { name: 'Data warehouse' }).check();
  const t = page.getByRole('combobox', { name: 'Table' });
  await t.pressSequentially('stripe', { delay: 70 });
  await page.waitForTimeout(1500);
  console.log(await page.locator('#filters-table_name-options').ariaSnapshot());
  console.log(await page.locator('#filters-table_name-status').innerText());
} finally { await browser.close(); await sandbox.stop(); }
