import { startSandbox, launchBrowser, openConnectedAt, metricUrl } from './harness.mjs';
const sandbox = await startSandbox();
const browser = await launchBrowser();
try {
  const { page } = await openConnectedAt(browser.context, sandbox, metricUrl(sandbox, 0, 'new'));
  await page.getByLabel('Name', { exact: true }).fill('Warehouse rows');
  await page.getByRole('radio', { name: 'Data warehouse' }).check();
  await page.getByRole('combobox', { name: 'Table', exact: true }).fill('no_such_table');
  await page.getByRole('combobox', { name: 'Timestamp column', exact: true }).fill('created');
  await page.getByRole('combobox', { name: 'Key column', exact: true }).fill('customer_id');
  await page.getByRole('button', { name: 'Save metric' }).click();
  await page.locator('#filters-table_name-error').filter({ hasText: 'does not exist' }).waitFor();
  console.log('focused', await page.evaluate(() => document.activeElement.id));
  await page.getByRole('combobox', { name: 'Table', exact: true }).fill('stripe_charges');
  await page.waitForTimeout(1000);
  await page.screenshot({ path: '/tmp/probe2.png' });
  console.log(await page.locator('#filters-table_name-status').innerText());
  await page.getByRole('button', { name: 'Save metric' }).click({ timeout: 5000 }).catch((e) => console.log('click', e.message.slice(0, 600)));
  await page.waitForTimeout(1500);
  console.log(page.url());
  await page.screenshot({ path: '/tmp/probe2b.png' });
} finally { await browser.close(); await sandbox.stop(); }
